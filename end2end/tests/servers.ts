// Where the three servers of the browser suite listen (`make test` picks free
// ports). Most tests only read and use the first (the config's baseURL);
// tests that change what lists show (publishing, backing) use the second,
// so the first keeps the demo data's exact counts and orders.
const readsPort = Number(process.env.MOA_E2E_PORT ?? 3917);
const writesPort = Number(process.env.MOA_E2E_WRITES_PORT ?? 3918);
const settlePort = Number(process.env.MOA_E2E_SETTLE_PORT ?? 3919);

export const readsURL = `http://127.0.0.1:${readsPort}`;
export const writesURL = `http://127.0.0.1:${writesPort}`;
// Its own database: tests there end projects by running a settlement pass
// with the clock moved ahead, which would end other tests' projects too.
export const settleURL = `http://127.0.0.1:${settlePort}`;
export const settleDatabaseUrl =
  process.env.MOA_E2E_SETTLE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/moa_e2e_settle';
