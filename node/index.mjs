// ES module entry: the same objects as the CommonJS one.
import cjs from './index.js';

export const {
  NeonClient, OPERATIONS, NeonError, ERROR_CLASSES,
  BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, LockedError,
  RateLimitedError, ServerError, ApiError, TimeoutError, NetworkError, DecodeError,
  InvalidArgumentError, InvalidArgumentTypeError, ConfigError, OperationFailedError, WaitTimeoutError, RuntimeError,
  AbortedError,
} = cjs;
export default cjs;
