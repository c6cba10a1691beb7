import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { ErrorMessage } from '../../components/states.js';

/** `POST /api/v1/cards/import`'s answer: counts and the lines not imported, with reasons. */
interface ImportReport {
  account: string;
  lines: number;
  inserted: number;
  existing: number;
  problems: {
    line: number;
    value: string;
    reason: string;
    code: string;
    params: Record<string, string | number>;
  }[];
}

/** An Excel workbook, by its name or type (the API reads it as the CSV's rows). */
function isWorkbook(file: File): boolean {
  return /\.xlsx$/i.test(file.name) || file.type.includes('spreadsheetml');
}

function base64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

/** CSV or Excel import into one supplier account, with the per-line report of what was left out. */
export function CardsImport(props: { accounts: string[]; onImported: () => void }) {
  const { t } = useTranslation();
  const [account, setAccount] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: async (): Promise<ImportReport> =>
      unwrap(
        api.POST('/api/v1/cards/import', {
          body: isWorkbook(file as File)
            ? { account, xlsx: base64(await (file as File).arrayBuffer()) }
            : { account, text: await (file as File).text() },
        }),
      ),
    onSuccess: props.onImported,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file && account) upload.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit} data-testid="cards-import">
      <h2>{t('cards.import.title')}</h2>
      <p className="muted">{t('cards.import.help')}</p>
      <p className="import-templates">
        <a href="/api/v1/cards/import/template?format=xlsx" download>
          {t('cards.import.templateXlsx')}
        </a>{' '}
        <a href="/api/v1/cards/import/template?format=csv" download>
          {t('cards.import.templateCsv')}
        </a>
      </p>
      <label>
        {t('cards.columns.account')}
        <select value={account} required onChange={(event) => setAccount(event.target.value)}>
          <option value="">—</option>
          {props.accounts.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('cards.import.file')}
        <input
          type="file"
          accept=".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          required
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
      </label>
      <button type="submit" className="primary" disabled={upload.isPending || !file || !account}>
        {t('cards.import.submit')}
      </button>
      {upload.isError ? <ErrorMessage error={upload.error} /> : null}
      {upload.data ? (
        <div data-testid="import-report">
          <p>
            {t('cards.import.summary', {
              lines: upload.data.lines,
              inserted: upload.data.inserted,
              existing: upload.data.existing,
            })}
          </p>
          {upload.data.problems.length > 0 ? (
            <table className="data-table compact">
              <thead>
                <tr>
                  <th>{t('cards.import.line')}</th>
                  <th>{t('cards.import.value')}</th>
                  <th>{t('cards.import.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {upload.data.problems.map((problem) => (
                  <tr key={problem.line}>
                    <td>{problem.line}</td>
                    <td className="mono">{problem.value}</td>
                    <td title={problem.reason}>
                      {problem.code === 'invalid_identifier' && problem.params.kind
                        ? t('importProblems.invalid_identifierOf', {
                            kind: String(problem.params.kind).toUpperCase(),
                          })
                        : t(`importProblems.${problem.code}`, {
                            ...problem.params,
                            defaultValue: problem.reason,
                          })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
