/** asl-validator 4 ships no types; this is the part of its API the infra tests use. */
declare module 'asl-validator' {
  interface AslValidatorError {
    'Error code': string;
    Message: string;
  }
  function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidatorError[]; errorsText: (separator?: string) => string };
  export = validator;
}
