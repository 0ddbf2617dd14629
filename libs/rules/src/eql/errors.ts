/**
 * EQL errors, in Elasticsearch's style: `line L:C: message` with a 1-based column, so a user
 * moving between Kibana and sequent reads the same kind of message.
 */

export abstract class EqlError extends Error {
  /** 1-based line and column of the offending text. */
  readonly line: number;
  readonly column: number;
  /** The message without the `line L:C: ` prefix. */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    super(`line ${line}:${column}: ${reason}`);
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

/** The text is not EQL: lexer or grammar errors, and what the parser rejects outright. */
export class EqlSyntaxError extends EqlError {
  override readonly name = 'EqlSyntaxError';
}

/** The text is EQL but Elasticsearch would refuse to run it (types, functions, limits). */
export class EqlVerificationError extends EqlError {
  override readonly name = 'EqlVerificationError';
}
