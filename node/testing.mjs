import cjs from './testing.js';
export const { startEmulator, Emulator } = cjs;
export default cjs;
