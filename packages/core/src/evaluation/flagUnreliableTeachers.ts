import type { TeacherDiagnostics } from './TeacherDiagnostics.js';
import type { TeacherFlag } from './TeacherFlag.js';

/**
 * A teacher this far below the best one (a fraction: 0.05 is 5 points) is flagged. Teachers worth putting
 * in one ensemble differ by a few points at most (CIFAR-10 ResNet-20 to ResNet-110 span about 2), and on a
 * validation set of 5,000 the accuracy's sampling error is under half a point, so a 5-point gap says the
 * teacher learned something wrong (noisy labels, too short a training) rather than that it is smaller.
 */
const accuracyGap = 0.05;

/**
 * A teacher's expected calibration error must reach this much to be flagged: 15-bin ECE of a well-trained
 * network is a few hundredths (Guo et al. 2017, "On Calibration of Modern Neural Networks", measure 0.03–0.05
 * on CIFAR-10), and an estimate from a few thousand examples wobbles by about a hundredth, so an ECE under
 * 0.1 is not worth a warning however it compares.
 */
const calibrationErrorFloor = 0.1;

/**
 * …and this many times the other teachers' median ECE: when every teacher is miscalibrated alike (Guo et
 * al. measure 0.10–0.17 for CIFAR-100 ResNets and DenseNets), none of them is the odd one out. The median
 * of the others rather than of all: the teacher judged would pull a median that includes it, and with two
 * teachers that median is their mean, which a teacher reaches twice only when the other's ECE is 0.
 */
const calibrationErrorRatio = 2;

/** Accuracies are ratios of counts: a gap of exactly 5 points must not fall short by a rounding error. */
const tolerance = 1e-9;

/**
 * The teachers that look unreliable beside the others, each with one line giving the figures. With two or
 * more teachers, a teacher is flagged when its accuracy is {@link accuracyGap} or more below the best
 * teacher's, or when its ECE is at least {@link calibrationErrorFloor} and at least
 * {@link calibrationErrorRatio} times the median ECE of the other teachers. Such a teacher pulls a
 * uniform average of the teachers' targets towards its mistakes; a per-example weighting that trusts the
 * more confident or lower-entropy teacher on each example, or leaving it out, may serve the student better.
 */
export function flagUnreliableTeachers(teachers: TeacherDiagnostics['teachers']): TeacherFlag[] {
  const entries = Object.entries(teachers);
  if (entries.length < 2) return [];
  const [bestName, best] = entries.reduce((top, entry) => (entry[1].accuracy > top[1].accuracy ? entry : top));
  const flags: TeacherFlag[] = [];
  for (const [name, { accuracy, expectedCalibrationError: ece }] of entries) {
    const reasons: string[] = [];
    const gap = best.accuracy - accuracy;
    if (gap >= accuracyGap - tolerance) {
      reasons.push(
        `accuracy ${percent(accuracy)} is ${(100 * gap).toFixed(1)} points below '${bestName}' (${percent(best.accuracy)})`,
      );
    }
    const othersMedian = median(entries.filter(([other]) => other !== name).map(([, other]) => other.expectedCalibrationError));
    if (ece >= calibrationErrorFloor - tolerance && ece >= calibrationErrorRatio * othersMedian - tolerance) {
      reasons.push(`ECE ${ece.toFixed(2)} against a median of ${othersMedian.toFixed(2)} for the other teachers`);
    }
    if (reasons.length === 0) continue;
    flags.push({
      teacher: name,
      message: `teacher '${name}' looks unreliable: ${reasons.join('; ')}; a per-example policy (multi.kd policy confidence or entropy) or leaving it out may help`,
    });
  }
  return flags;
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(1)} %`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
