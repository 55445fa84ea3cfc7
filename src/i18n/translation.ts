/** The shape a translation must have: every key of the English namespace, each a string, no more. */
export type Translation<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]>;
};
