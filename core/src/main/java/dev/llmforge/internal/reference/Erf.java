package dev.llmforge.internal.reference;

/** The error function to double precision (W. J. Cody's rational approximations, as in libm). */
final class Erf {
    private Erf() {
    }

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 0.5) {
            return x * small(x * x);
        }
        double r = ax < 4 ? 1 - erfcMid(ax) : 1 - erfcLarge(ax);
        return x < 0 ? -r : r;
    }

    // erf(x) = x * P(x^2)/Q(x^2) for |x| < 0.5
    private static double small(double z) {
        double[] p = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1};
        double[] q = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03};
        double num = p[4] * z;
        double den = z;
        for (int i = 0; i < 3; i++) {
            num = (num + p[i]) * z;
            den = (den + q[i]) * z;
        }
        return (num + p[3]) / (den + q[3]);
    }

    // erfc(x) for 0.5 <= x < 4
    private static double erfcMid(double x) {
        double[] c = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
            8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
        double[] d = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
            3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03};
        double num = c[8] * x;
        double den = x;
        for (int i = 0; i < 7; i++) {
            num = (num + c[i]) * x;
            den = (den + d[i]) * x;
        }
        double r = (num + c[7]) / (den + d[7]);
        return expTail(x) * r;
    }

    // erfc(x) for x >= 4
    private static double erfcLarge(double x) {
        double[] p = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
            6.58749161529837803e-4, 1.63153871373020978e-2};
        double[] q = {2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
            2.33520497626869185e-3};
        double z = 1 / (x * x);
        double num = p[5] * z;
        double den = z;
        for (int i = 0; i < 4; i++) {
            num = (num + p[i]) * z;
            den = (den + q[i]) * z;
        }
        double r = z * (num + p[4]) / (den + q[4]);
        r = (1 / Math.sqrt(Math.PI) - r) / x;
        return expTail(x) * r;
    }

    /** exp(-x^2) computed without cancellation by splitting x. */
    private static double expTail(double x) {
        double hi = Math.floor(x * 16) / 16;
        double del = (x - hi) * (x + hi);
        return Math.exp(-hi * hi) * Math.exp(-del);
    }
}
