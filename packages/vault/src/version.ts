// The Vault API version Coffer reports (seal-status, health): the Vault release whose behaviour it follows.
export const VERSION = '1.20.0';
