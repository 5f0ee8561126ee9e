/** The native (oneDNN + OpenBLAS) backend: loader status, registration, kernels. */
export { nativeStatus, loadAddon, type NativeStatus, type NativeAddon } from './addon.js';
export { registerNativeBackend, NATIVE_KERNELS } from './native-backend.js';
