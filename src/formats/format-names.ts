/** For formats whose names are compared as written (npm's are lowercase already; generic's are case-sensitive). */
export const normalizeNothing = (name: string): string => name;
