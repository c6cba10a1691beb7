/** The SQL dialects simdock stores its data in. */
export type Dialect = 'sqlite' | 'postgres';
