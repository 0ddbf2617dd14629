// Injection tokens (the config and logger are plain objects, not classes).
export const CONFIG = Symbol('correlator.config');
export const LOGGER = Symbol('correlator.logger');
