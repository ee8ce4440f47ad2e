package ai.fastai4j.collab;

/**
 * Principal components of a small matrix in plain Java: the rows are centred, the covariance matrix (d x d) is
 * diagonalised with the cyclic Jacobi method (exact for the symmetric matrices of factor models, d of about 50),
 * and the rows are projected on the leading eigenvectors. Each component's sign is fixed so that its largest
 * loading is positive.
 *
 * @param components k x d, unit eigenvectors, largest variance first
 * @param variances the k explained variances (eigenvalues of the covariance, ddof 1)
 * @param projections n x k coordinates of the centred rows
 */
public record Pca(double[][] components, double[] variances, double[][] projections) {

    /** The first {@code k} principal components of the rows of {@code x} (n x d). */
    public static Pca fit(float[][] x, int k) {
        int n = x.length;
        int d = x[0].length;
        if (k < 1 || k > d) {
            throw new IllegalArgumentException("k must be between 1 and " + d + ", got " + k);
        }
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 rows, got " + n);
        }
        double[] mean = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] c = new double[d][d];
        double[] row = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r[j] - mean[j];
            }
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    c[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                c[a][b] /= n - 1;
                c[b][a] = c[a][b];
            }
        }
        double[][] v = new double[d][d];
        double[] eig = jacobi(c, v);
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(eig[q], eig[p]));
        double[][] comps = new double[k][d];
        double[] vars = new double[k];
        for (int i = 0; i < k; i++) {
            int col = order[i];
            vars[i] = eig[col];
            int arg = 0;
            for (int j = 0; j < d; j++) {
                comps[i][j] = v[j][col];
                if (Math.abs(comps[i][j]) > Math.abs(comps[i][arg])) {
                    arg = j;
                }
            }
            if (comps[i][arg] < 0) {
                for (int j = 0; j < d; j++) {
                    comps[i][j] = -comps[i][j];
                }
            }
        }
        double[][] proj = new double[n][k];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (x[r][j] - mean[j]) * comps[i][j];
                }
                proj[r][i] = s;
            }
        }
        return new Pca(comps, vars, proj);
    }

    /** Eigenvalues of symmetric {@code a} (destroyed); eigenvectors into the columns of {@code v}. */
    static double[] jacobi(double[][] a, double[][] v) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double total = 0;
            for (int p = 0; p < n; p++) {
                for (int q = 0; q < n; q++) {
                    total += a[p][q] * a[p][q];
                    if (p != q) {
                        off += a[p][q] * a[p][q];
                    }
                }
            }
            if (off <= 1e-24 * Math.max(total, 1e-300)) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double cs = 1 / Math.sqrt(t * t + 1);
                    double sn = t * cs;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = cs * akp - sn * akq;
                        a[k][q] = sn * akp + cs * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = cs * apk - sn * aqk;
                        a[q][k] = sn * apk + cs * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = cs * vkp - sn * vkq;
                        v[k][q] = sn * vkp + cs * vkq;
                    }
                }
            }
        }
        double[] eig = new double[n];
        for (int i = 0; i < n; i++) {
            eig[i] = a[i][i];
        }
        return eig;
    }
}
