/** One value of a sweep parameter: a number, or a word for settings such as a policy's key. */
export type GridValue = number | string;
