/** Letters, digits, dot, dash, underscore: a host name names a directory and shows in every sample. */
export const HOST_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
