/**
 * A batch of images [B, H, W, C] as [B, C, H, W] (`to: 'first'`), or [B, C, H, W] as [B, H, W, C] (`to: 'last'`),
 * where `dims` is the shape of `data` as given. A plain loop rather than tf.transpose: it needs the values in JS
 * anyway (onnxruntime takes and gives typed arrays), and on tfjs's cpu backend a transpose of a [128, 32, 32, 3] batch
 * and its read-back took about 30 ms against about 1 ms for this loop.
 */
export function moveChannels(data: Float32Array, dims: readonly number[], to: 'first' | 'last'): Float32Array {
  const [batch = 0, d1 = 0, d2 = 0, d3 = 0] = dims;
  // Channels last: rows of C values at P = H·W pixels. Channels first: C planes of P values.
  const channels = to === 'first' ? d3 : d1;
  const pixels = to === 'first' ? d1 * d2 : d2 * d3;
  const moved = new Float32Array(data.length);
  const perImage = channels * pixels;
  for (let image = 0; image < batch; image++) {
    const base = image * perImage;
    for (let channel = 0; channel < channels; channel++) {
      const plane = base + channel * pixels;
      for (let pixel = 0; pixel < pixels; pixel++) {
        const interleaved = base + pixel * channels + channel;
        if (to === 'first') moved[plane + pixel] = data[interleaved] as number;
        else moved[interleaved] = data[plane + pixel] as number;
      }
    }
  }
  return moved;
}
