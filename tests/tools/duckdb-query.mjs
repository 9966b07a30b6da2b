// Runs one SQL query with DuckDB and prints the rows as JSON lines: `node duckdb-query.mjs "SELECT ..."`.
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
for (const row of (await con.runAndReadAll(process.argv[2])).getRowObjectsJson()) console.log(JSON.stringify(row));
