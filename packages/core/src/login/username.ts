import { ValidationError } from '../admin/client-input.js';

/** The form usernames are compared in: Unicode NFKC, lower case. */
export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();

const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;

/** Checks a new username: 1–64 letters, digits or . _ @ + -. */
export function checkUsername(username: string): string {
  const value = username.normalize('NFKC');
  if (!USERNAME.test(value)) {
    throw new ValidationError('username must be 1 to 64 letters, digits or . _ @ + - characters');
  }
  return value;
}
