'use strict';
// neonkit for Node: the Neon API v2 over neonkit's Rust core. Every error class
// of spec/vocabulary.yaml is exported under its name (see generated/vocabulary.js).
const { NeonClient, OPERATIONS } = require('./lib/client.js');
const { NeonError, ERROR_CLASSES, InvalidArgumentTypeError, classes } = require('./lib/errors.js');
const { RawResponse, responseOf } = require('./lib/response.js');

module.exports = { NeonClient, OPERATIONS, NeonError, ERROR_CLASSES, InvalidArgumentTypeError, RawResponse, responseOf, ...classes };
