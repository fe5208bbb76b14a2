export const VERIFY_PACKAGE = "@tessera/verify";
