/** Activation codes shared with native/activation.h. */
export const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
};

/** The native code of a tfjs fused activation, or undefined when the addon lacks it (prelu). */
export function activationCode(name: string | undefined | null): number | undefined {
  return ACTIVATIONS[name ?? 'linear'];
}
