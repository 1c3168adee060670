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

/** Go's strconv.ParseBool: the spellings Vault accepts for `?list=`; undefined for anything else. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
