// Injection tokens (the config and logger are plain objects, not classes).
export const CONFIG = Symbol('alerter.config');
export const LOGGER = Symbol('alerter.logger');
