// Reads a Parquet file written by `noise simulate` with DuckDB and prints one JSON line:
// row count, first/last time, strain column stats and the key-value metadata.
import { DuckDBInstance } from '@duckdb/node-api';

const path = process.argv[2];
const channel = process.argv[3];
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = `SELECT count(*) AS n, min(time) AS t0, max(time) AS t1, avg("${channel}") AS mean,
           stddev_pop("${channel}") AS sd FROM read_parquet('${path}')`;
const rows = (await con.runAndReadAll(q)).getRowObjectsJson();
const meta = (await con.runAndReadAll(
  `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}')`)).getRowObjectsJson();
const kv = Object.fromEntries(meta.map(r => [r.k, r.v]));
console.log(JSON.stringify({ ...rows[0], meta: kv }));
