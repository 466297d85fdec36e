import { CollectorError } from '../errors.ts';

/** Base class of the errors of the optional Parquet conversion (local DuckDB or Athena). */
export class ParquetError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'ParquetError';
  }
}

/** One table could not be converted; the message names it and says what the engine reported. */
export class ParquetConversionError extends ParquetError {
  readonly table: string;
  constructor(table: string, message: string, options?: { cause?: unknown }) {
    super(`converting ${table} to Parquet failed: ${message}`, options);
    this.name = 'ParquetConversionError';
    this.table = table;
  }
}
