/**
 * WGS84 measurements for GEO_DISTANCE / GEO_AREA with `ellipsoid: "wgs84"`: Vincenty's inverse
 * formula for distances, and areas on the authalic sphere with latitudes mapped to authalic
 * latitudes (equal-area mapping, so areas match the ellipsoid to well below 0.1 %).
 */
import type { LonLat } from '../../common/index.ts';

const A = 6378137;
const F = 1 / 298.257223563;
const B = A * (1 - F);
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

/** q(φ) of the authalic latitude. */
function q(sinPhi: number): number {
  return (1 - E2) * (sinPhi / (1 - E2 * sinPhi * sinPhi) - Math.log((1 - E * sinPhi) / (1 + E * sinPhi)) / (2 * E));
}
const QP = q(1);

/** Radius of the sphere with the ellipsoid's surface area (meters). */
export const WGS84_AUTHALIC_RADIUS_M = A * Math.sqrt(QP / 2);

/** The authalic latitude (degrees) of a geodetic latitude (degrees). */
export function authalicLatitude(latDeg: number): number {
  const v = q(Math.sin(latDeg * RAD)) / QP;
  return Math.asin(Math.max(-1, Math.min(1, v))) / RAD;
}

/** Maps a position to the authalic sphere (same longitude). */
export function toAuthalic(p: LonLat): LonLat {
  return [p[0], authalicLatitude(p[1])];
}

/**
 * Geodesic distance on WGS84 (meters) by Vincenty's inverse method; null when it does not
 * converge (nearly antipodal points), in which case the caller uses the sphere.
 */
export function vincentyDistance(p: LonLat, r: LonLat): number | null {
  const L = (r[0] - p[0]) * RAD;
  const U1 = Math.atan((1 - F) * Math.tan(p[1] * RAD));
  const U2 = Math.atan((1 - F) * Math.tan(r[1] * RAD));
  const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
  let lambda = L;
  for (let i = 0; i < 200; i++) {
    const sinL = Math.sin(lambda), cosL = Math.cos(lambda);
    const sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
    if (sinSigma === 0) return 0;
    const cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    const sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinL) / sinSigma;
    const cos2Alpha = 1 - sinAlpha * sinAlpha;
    const cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha;
    const C = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
    const prev = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - prev) < 1e-12) {
      const u2 = (cos2Alpha * (A * A - B * B)) / (B * B);
      const bigA = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
      const bigB = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
      const dSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
        - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
      return B * bigA * (sigma - dSigma);
    }
  }
  return null;
}
