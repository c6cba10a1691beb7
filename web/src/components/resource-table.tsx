import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { request } from '../api/client.js';
import { Empty, ErrorMessage, Loading } from './states.js';

/** One column of a simple list: a header and how to show a row. */
export interface ResourceColumn<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
}

/**
 * A list read from one API path (`{<key>: Row[]}`), with loading, empty and error states. For
 * pages whose resource has no filters beyond the path's own query.
 */
export function ResourceTable<Row>(props: {
  path: string;
  listKey: string;
  columns: ResourceColumn<Row>[];
  rowKey: (row: Row) => string | number;
  empty?: string;
  testId?: string;
}) {
  const list = useQuery({
    queryKey: ['resource', props.path],
    queryFn: async () => {
      const answer = await request<Record<string, Row[]>>('GET', props.path);
      return answer[props.listKey] ?? [];
    },
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  if (list.data.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column.header}>{column.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {list.data.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column) => (
                <td key={column.header}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
