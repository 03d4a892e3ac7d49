// Where the two servers of the browser suite listen (`make test` picks free
// ports). Most tests only read and use the first (the config's baseURL);
// tests that change what lists show (publishing, backing) use the second,
// so the first keeps the demo data's exact counts and orders.
const readsPort = Number(process.env.MOA_E2E_PORT ?? 3917);
const writesPort = Number(process.env.MOA_E2E_WRITES_PORT ?? 3918);

export const readsURL = `http://127.0.0.1:${readsPort}`;
export const writesURL = `http://127.0.0.1:${writesPort}`;
