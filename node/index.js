'use strict';
// neonkit for Node: the Neon API v2 over neonkit's Rust core.
const { NeonClient, OPERATIONS } = require('./lib/client.js');
const errors = require('./lib/errors.js');

module.exports = {
  NeonClient,
  OPERATIONS,
  NeonError: errors.NeonError,
  ERROR_CLASSES: errors.ERROR_CLASSES,
  BadRequestError: errors.BadRequestError,
  UnauthorizedError: errors.UnauthorizedError,
  ForbiddenError: errors.ForbiddenError,
  NotFoundError: errors.NotFoundError,
  ConflictError: errors.ConflictError,
  LockedError: errors.LockedError,
  RateLimitedError: errors.RateLimitedError,
  ServerError: errors.ServerError,
  ApiError: errors.ApiError,
  TimeoutError: errors.TimeoutError,
  NetworkError: errors.NetworkError,
  DecodeError: errors.DecodeError,
  InvalidArgumentError: errors.InvalidArgumentError,
  InvalidArgumentTypeError: errors.InvalidArgumentTypeError,
  ConfigError: errors.ConfigError,
  OperationFailedError: errors.OperationFailedError,
  WaitTimeoutError: errors.WaitTimeoutError,
  RuntimeError: errors.RuntimeError,
  AbortedError: errors.AbortedError,
};
