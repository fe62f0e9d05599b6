import cjs from './testing.js';
export const { startEmulator, Emulator, useEmulator } = cjs;
export default cjs;
