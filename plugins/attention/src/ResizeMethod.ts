/**
 * How the larger of two feature maps is brought to the smaller one's H×W: `avgpool` averages
 * non-overlapping windows (integer size ratios only); `bilinear` interpolates with half-pixel centres.
 */
export type ResizeMethod = 'avgpool' | 'bilinear';
