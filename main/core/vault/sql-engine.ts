// Loads sql.js (SQLite compiled to WebAssembly) once per process; every vault shares the engine.
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';

let engine: Promise<SqlJsStatic> | undefined;

export function loadSqlEngine(): Promise<SqlJsStatic> {
  engine ??= initSqlJs();
  return engine;
}

export type SqlDatabase = Database;
