// ES module entry: the same objects as the CommonJS one (the names come from the generated list).
export * from './generated/exports.mjs';
export { default } from './generated/exports.mjs';
