/** One account setting a supplier needs, described as data (for the CLI, the console, docs). */
export interface CredentialField {
  /** The key in configuration, wire-named where the supplier names it (`appid`, `appKey`). */
  name: string;
  label: { en: string; 'zh-CN': string };
  kind: 'text' | 'url' | 'secret' | 'map';
  required: boolean;
  /** Shown as a hint in forms. */
  example?: string;
  /** For `map` fields: the keys expected. */
  keys?: string[];
  description?: { en: string; 'zh-CN': string };
}

/** The names of the secret fields of a definition, for masking and encryption. */
export function secretFieldNames(fields: CredentialField[]): string[] {
  return fields.filter((field) => field.kind === 'secret').map((field) => field.name);
}
