import { PropValidationError } from '../../constructs/lib/prop-errors';

/** The PropValidationError a function throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): PropValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PropValidationError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a PropValidationError');
}
