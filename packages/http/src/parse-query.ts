// Query strings as Vault reads them (http/handler.go parseQuery): one value is a string, a
// repeated key an array, and `help` is never data.

/** The query's parameters as request data; undefined when there are none. */
export function queryData(params: URLSearchParams): Record<string, unknown> | undefined {
  const data: Record<string, unknown> = {};
  let any = false;
  for (const key of new Set(params.keys())) {
    if (key === 'help') continue;
    const values = params.getAll(key);
    data[key] = values.length === 1 ? values[0] : values;
    any = true;
  }
  return any ? data : undefined;
}
