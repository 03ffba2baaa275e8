import { ConfigValidationError } from '../../src/config';

/** The ConfigValidationError that `load` throws; fails the test when it throws nothing else or nothing. */
export function captureConfigError(load: () => unknown): ConfigValidationError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return error as ConfigValidationError;
  }
  throw new Error('expected loadConfig to throw');
}
