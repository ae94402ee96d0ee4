/** An error answered on the wire as an `ErrorResponse` with this HTTP status, Type and Code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidInput = (message: string) => new ApiError(400, 'InvalidInput', message);
export const noSuchEntity = (message: string) => new ApiError(404, 'NoSuchEntity', message);

/** A constraint of the API's model violated, in the wording IAM and STS answer it. */
export const validationError = (value: string, field: string, constraint: string) =>
  new ApiError(400, 'ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
