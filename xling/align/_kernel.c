/* The alignment DP and its similarity sums, compiled ahead of time (see dp.py for what each does).
 *
 * The same functions as dp_numba.py, line for line: a process that finds this module built pays no
 * JIT start-up (importing numba and loading its cached kernels costs about a second per process,
 * more than aligning a hundred news articles). Arrays come as C-contiguous buffers whose dtypes
 * dp.py guarantees; their sizes are checked here against the shapes passed with them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define NEG (-1e18)
#define MAX_SIDE 4
#define ROWS (MAX_SIDE + 1)

typedef struct {
    const double *prefix;      /* (P0, P1, P2) */
    Py_ssize_t P0, P1, P2;
    const int64_t *glo;        /* (P1,) */
    const double *left_norm;   /* (P0, MAX_SIDE + 1, L2) */
    Py_ssize_t L2;
    const double *right_norm;  /* (P0, MAX_SIDE + 1, R2) */
    Py_ssize_t R2;
    const double *left_cum;    /* (L2,) */
    const double *right_cum;   /* (R2,) */
} Tables;

typedef struct {
    int relative;
    double null, mu, scale, threshold, neighbour_weight, length_exponent, length_weight, variance;
} Scoring;

static inline double LN(const Tables *t, Py_ssize_t k, Py_ssize_t x, Py_ssize_t i) {
    return t->left_norm[(k * (MAX_SIDE + 1) + x) * t->L2 + i];
}

static inline double RN(const Tables *t, Py_ssize_t k, Py_ssize_t y, Py_ssize_t j) {
    return t->right_norm[(k * (MAX_SIDE + 1) + y) * t->R2 + j];
}

static inline Py_ssize_t clamp(Py_ssize_t v, Py_ssize_t lo, Py_ssize_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

static double dot(const Tables *t, Py_ssize_t k, Py_ssize_t s, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t width = t->P2 - 1;
    Py_ssize_t hk = clamp(hi - t->glo[s], 0, width);
    Py_ssize_t lk = clamp(lo - t->glo[s], 0, width);
    const double *row = t->prefix + (k * t->P1 + s) * t->P2;
    return row[hk] - row[lk];
}

static double block_dot(const Tables *t, Py_ssize_t k, Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t j0, Py_ssize_t j1) {
    double total = 0.0;
    for (Py_ssize_t s = i0; s < i1; s++) total += dot(t, k, s, j0, j1);
    return total;
}

static double cosine(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y) {
    double norm = sqrt(LN(t, 0, x, i) * RN(t, 0, y, j));
    return norm > 0.0 ? block_dot(t, 0, i - x, i, j - y, j) / norm : 0.0;
}

static double dice(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y) {
    double total = 0.0;
    for (Py_ssize_t k = 0; k < t->P0; k++) {
        double left = LN(t, k, x, i), right = RN(t, k, y, j);
        double both = left + right;
        if (left > 0.0 && right > 0.0) total += 2.0 * block_dot(t, k, i - x, i, j - y, j) / both;
    }
    return total / (double)t->P0;
}

static double log_two_tail(double z) {
    if (z < 8.0) return log(erfc(z / sqrt(2.0)));
    return -0.5 * z * z - log(z) - 0.5 * log(M_PI / 2.0);
}

static double absolute_gain(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y,
                            double weight, double variance) {
    double ls = t->left_cum[i] - t->left_cum[i - x];
    double lt = t->right_cum[j] - t->right_cum[j - y];
    double delta = fabs(lt - ls) / sqrt(variance * (ls + lt) / 2.0 + 1.0);
    double length = (double)(x + y) * weight * log_two_tail(delta);
    if (x == 1 && y == 1) return 2.0 * cosine(t, i, j, 1, 1) + length;
    double total = 0.0;
    double right = sqrt(RN(t, 0, y, j));
    for (Py_ssize_t s = i - x; s < i; s++) {
        double norm = sqrt(LN(t, 0, 1, s + 1)) * right;
        if (norm > 0.0) total += dot(t, 0, s, j - y, j) / norm;
    }
    double left = sqrt(LN(t, 0, x, i));
    for (Py_ssize_t c = j - y; c < j; c++) {
        double d = 0.0;
        for (Py_ssize_t s = i - x; s < i; s++) d += dot(t, 0, s, c, c + 1);
        double norm = left * sqrt(RN(t, 0, 1, c + 1));
        if (norm > 0.0) total += d / norm;
    }
    return total + length;
}

static double length_factor(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y,
                            double exponent) {
    double ls = t->left_cum[i] - t->left_cum[i - x];
    double lt = t->right_cum[j] - t->right_cum[j - y];
    double longer = ls > lt ? ls : lt;
    double ratio = longer > 0.0 ? (ls < lt ? ls : lt) / longer : 1.0;
    return pow(log2(1.0 + ratio), exponent);
}

static double rescaled_dice(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y,
                            double mu, double scale) {
    return (dice(t, i, j, x, y) - mu) / (scale - mu);
}

static inline double excess_of(double similarity, double mu, double spread, double threshold) {
    double e = (similarity - mu) / spread - threshold;
    return e > 0.0 ? e : 0.0;
}

static double neighbour_excess(const Tables *t, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y,
                               double mu, double spread, double threshold) {
    Py_ssize_t n = t->L2 - 1, m = t->R2 - 1;
    double excess = 0.0;
    if (j - y > 0) excess += excess_of(dice(t, i, j - y, x, 1), mu, spread, threshold);
    if (j < m) excess += excess_of(dice(t, i, j + 1, x, 1), mu, spread, threshold);
    if (i - x > 0) excess += excess_of(dice(t, i - x, j, 1, y), mu, spread, threshold);
    if (i < n) excess += excess_of(dice(t, i + 1, j, 1, y), mu, spread, threshold);
    return excess;
}

static double gain(const Tables *t, const Scoring *s, Py_ssize_t i, Py_ssize_t j, Py_ssize_t x, Py_ssize_t y) {
    if (s->relative) {
        double own = rescaled_dice(t, i, j, x, y, s->mu, s->scale);
        double excess = neighbour_excess(t, i, j, x, y, s->mu, s->scale - s->mu, s->threshold);
        return (own - s->neighbour_weight * excess) * length_factor(t, i, j, x, y, s->length_exponent);
    }
    return absolute_gain(t, i, j, x, y, s->length_weight, s->variance);
}

/* ---- argument handling: every buffer is released on every path ---- */

typedef struct {
    Py_buffer views[6];
    int held;
} Held;

static void release(Held *h) {
    for (int k = 0; k < h->held; k++) PyBuffer_Release(&h->views[k]);
    h->held = 0;
}

static const void *take(Held *h, PyObject *object, Py_ssize_t items, Py_ssize_t itemsize, const char *what) {
    Py_buffer *view = &h->views[h->held];
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    h->held++;
    if (view->len != items * itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd", what, view->len, items * itemsize);
        return NULL;
    }
    return view->buf;
}

/* tables: (prefix, P0, P1, P2, glo, left_norm, L2, right_norm, R2, left_cum, right_cum) */
static int parse_tables(PyObject *args, Tables *t, Held *h) {
    PyObject *prefix, *glo, *ln, *rn, *lc, *rc;
    if (!PyArg_ParseTuple(args, "OnnnOOnOnOO", &prefix, &t->P0, &t->P1, &t->P2, &glo, &ln, &t->L2, &rn, &t->R2,
                          &lc, &rc))
        return -1;
    if (t->P0 < 1 || t->P1 < 0 || t->P2 < 1 || t->L2 < 1 || t->R2 < 1) {
        PyErr_SetString(PyExc_ValueError, "tables: bad shape");
        return -1;
    }
    if (!(t->prefix = take(h, prefix, t->P0 * t->P1 * t->P2, 8, "prefix"))) return -1;
    if (!(t->glo = take(h, glo, t->P1, 8, "glo"))) return -1;
    if (!(t->left_norm = take(h, ln, t->P0 * (MAX_SIDE + 1) * t->L2, 8, "left_norm"))) return -1;
    if (!(t->right_norm = take(h, rn, t->P0 * (MAX_SIDE + 1) * t->R2, 8, "right_norm"))) return -1;
    if (!(t->left_cum = take(h, lc, t->L2, 8, "left_cum"))) return -1;
    if (!(t->right_cum = take(h, rc, t->R2, 8, "right_cum"))) return -1;
    return 0;
}

static int parse_scoring(PyObject *args, Scoring *s) {
    return PyArg_ParseTuple(args, "pdddddddd", &s->relative, &s->null, &s->mu, &s->scale, &s->threshold,
                            &s->neighbour_weight, &s->length_exponent, &s->length_weight, &s->variance)
               ? 0 : -1;
}

/* The DP proper: back-pointers of every band cell (-1 where no path arrives); `rows` holds ROWS * width
 * scores. Reads only inside the arrays py_fill has checked; touches no Python object. */
typedef struct {
    Py_ssize_t n, width, ntypes;
    const int64_t *lo, *hi, *types;
    const double *penalty;
} Band;

static void fill_table(const Tables *t, const Scoring *s, const Band *b, double *rows, int8_t *back) {
    Py_ssize_t width = b->width;
    for (Py_ssize_t k = 0; k < ROWS * width; k++) rows[k] = NEG;
    for (Py_ssize_t i = 0; i <= b->n; i++) {
        double *current = rows + (i % ROWS) * width;
        for (Py_ssize_t k = 0; k < width; k++) current[k] = NEG;
        for (Py_ssize_t jj = 0; jj <= b->hi[i] - b->lo[i]; jj++) {
            Py_ssize_t j = b->lo[i] + jj;
            double best = (i == 0 && j == 0) ? 0.0 : NEG;
            int code = -1;
            for (Py_ssize_t ty = 0; ty < b->ntypes; ty++) {
                double penalty = b->penalty[ty];
                if (isinf(penalty) && penalty > 0) continue;
                Py_ssize_t x = b->types[2 * ty], y = b->types[2 * ty + 1];
                double candidate;
                if (x == 0) { /* 0-1: the previous column of this row */
                    if (jj == 0 || current[jj - 1] <= NEG / 2) continue;
                    candidate = current[jj - 1] + s->null;
                } else {
                    Py_ssize_t r = i - x;
                    if (r < 0 || j - y < 0) continue;
                    Py_ssize_t k = j - y - b->lo[r];
                    if (k < 0 || k > b->hi[r] - b->lo[r]) continue;
                    double previous = rows[(r % ROWS) * width + k];
                    if (previous <= NEG / 2) continue;
                    if (y == 0) {
                        candidate = previous + s->null;
                    } else if (s->relative) {
                        /* the neighbour margin only lowers the gain: skip it when even the bead's own
                           similarity cannot beat the best candidate so far (exact pruning) */
                        double factor = length_factor(t, i, j, x, y, s->length_exponent);
                        double own = rescaled_dice(t, i, j, x, y, s->mu, s->scale);
                        candidate = previous - penalty + own * factor;
                        if (candidate <= best) continue;
                        candidate -= factor * s->neighbour_weight *
                                     neighbour_excess(t, i, j, x, y, s->mu, s->scale - s->mu, s->threshold);
                    } else {
                        candidate = previous - penalty + absolute_gain(t, i, j, x, y, s->length_weight, s->variance);
                    }
                }
                if (candidate > best) {
                    best = candidate;
                    code = (int)ty;
                }
            }
            current[jj] = best;
            back[i * width + jj] = (int8_t)code;
        }
    }
}

/* The band and bead types checked against the tables: 0, or -1 with a ValueError set. */
static int check_band(const Tables *t, const Band *b) {
    if (b->n < 0 || b->width < 1 || t->L2 != b->n + 1 || t->P1 != b->n) {
        PyErr_SetString(PyExc_ValueError, "fill: bad sizes");
        return -1;
    }
    for (Py_ssize_t ty = 0; ty < b->ntypes; ty++) {
        int64_t x = b->types[2 * ty], y = b->types[2 * ty + 1];
        if (x < 0 || x > MAX_SIDE || y < 0 || y > MAX_SIDE || x + y == 0 || (x == 0 && y != 1)) {
            PyErr_SetString(PyExc_ValueError, "fill: bead types beyond 4 sentences a side");
            return -1;
        }
    }
    for (Py_ssize_t i = 0; i <= b->n; i++) {
        if (b->hi[i] - b->lo[i] + 1 > b->width || b->lo[i] < 0 || b->hi[i] >= t->R2) {
            PyErr_SetString(PyExc_ValueError, "fill: band outside the tables");
            return -1;
        }
    }
    return 0;
}

/* fill(n, width, lo, hi, types, penalty, scoring, tables) -> bytes: int8 back-pointers (n + 1, width) */
static PyObject *py_fill(PyObject *self, PyObject *args) {
    Band b;
    PyObject *lo_o, *hi_o, *types_o, *penalty_o, *scoring_o, *tables_o;
    if (!PyArg_ParseTuple(args, "nnOOOOO!O!", &b.n, &b.width, &lo_o, &hi_o, &types_o, &penalty_o, &PyTuple_Type,
                          &scoring_o, &PyTuple_Type, &tables_o))
        return NULL;
    Tables t;
    Scoring s;
    Held h = {.held = 0}, h2 = {.held = 0};
    PyObject *result = NULL;
    double *rows = NULL;
    Py_buffer probe;
    if (parse_scoring(scoring_o, &s) < 0 || parse_tables(tables_o, &t, &h) < 0) goto done;
    if (PyObject_GetBuffer(penalty_o, &probe, PyBUF_SIMPLE) < 0) goto done;
    b.ntypes = probe.len / 8;
    PyBuffer_Release(&probe);
    if (!(b.lo = take(&h2, lo_o, b.n + 1, 8, "lo")) || !(b.hi = take(&h2, hi_o, b.n + 1, 8, "hi")) ||
        !(b.types = take(&h2, types_o, b.ntypes * 2, 8, "types")) ||
        !(b.penalty = take(&h2, penalty_o, b.ntypes, 8, "penalty")) || check_band(&t, &b) < 0)
        goto done;
    result = PyBytes_FromStringAndSize(NULL, (b.n + 1) * b.width);
    rows = PyMem_Malloc(sizeof(double) * ROWS * b.width);
    if (!result || !rows) {
        Py_CLEAR(result);
        PyErr_NoMemory();
        goto done;
    }
    int8_t *back = (int8_t *)PyBytes_AS_STRING(result);
    memset(back, -1, (size_t)((b.n + 1) * b.width));
    Py_BEGIN_ALLOW_THREADS
    fill_table(&t, &s, &b, rows, back);
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(rows);
    release(&h2);
    release(&h);
    return result;
}

/* gain(i, j, x, y, scoring, tables) -> float: the gain the DP gives one bead (before its type's penalty) */
static PyObject *py_gain(PyObject *self, PyObject *args) {
    Py_ssize_t i, j, x, y;
    PyObject *scoring_o, *tables_o;
    if (!PyArg_ParseTuple(args, "nnnnO!O!", &i, &j, &x, &y, &PyTuple_Type, &scoring_o, &PyTuple_Type, &tables_o))
        return NULL;
    Tables t;
    Scoring s;
    Held h = {.held = 0};
    PyObject *result = NULL;
    if (parse_scoring(scoring_o, &s) == 0 && parse_tables(tables_o, &t, &h) == 0) {
        if (x < 1 || y < 1 || x > MAX_SIDE || y > MAX_SIDE || i < x || j < y || i >= t.L2 || j >= t.R2 ||
            i > t.P1)
            PyErr_SetString(PyExc_ValueError, "gain: bead outside the tables");
        else
            result = PyFloat_FromDouble(gain(&t, &s, i, j, x, y));
    }
    release(&h);
    return result;
}

/* similarities(spans, relative, tables) -> bytes: float64 per bead (Dice if relative, else cosine; 0 for nulls) */
static PyObject *py_similarities(PyObject *self, PyObject *args) {
    PyObject *spans_o, *tables_o;
    int relative;
    if (!PyArg_ParseTuple(args, "OpO!", &spans_o, &relative, &PyTuple_Type, &tables_o)) return NULL;
    Tables t;
    Held h = {.held = 0};
    Held h2 = {.held = 0};
    PyObject *result = NULL;
    if (parse_tables(tables_o, &t, &h) < 0) goto done;
    Py_buffer probe;
    if (PyObject_GetBuffer(spans_o, &probe, PyBUF_SIMPLE) < 0) goto done;
    Py_ssize_t count = probe.len / 32;
    PyBuffer_Release(&probe);
    const int64_t *spans = take(&h2, spans_o, count * 4, 8, "spans");
    if (!spans) goto done;
    for (Py_ssize_t b = 0; b < count; b++) {
        const int64_t *sp = spans + 4 * b;
        if (sp[0] < 0 || sp[1] < sp[0] || sp[1] >= t.L2 || sp[1] > t.P1 || sp[2] < 0 || sp[3] < sp[2] ||
            sp[3] >= t.R2 || sp[1] - sp[0] > MAX_SIDE || sp[3] - sp[2] > MAX_SIDE) {
            PyErr_SetString(PyExc_ValueError, "similarities: bead outside the tables");
            goto done;
        }
    }
    result = PyBytes_FromStringAndSize(NULL, count * 8);
    if (!result) goto done;
    double *out = (double *)PyBytes_AS_STRING(result);
    for (Py_ssize_t b = 0; b < count; b++) {
        const int64_t *sp = spans + 4 * b;
        Py_ssize_t i0 = sp[0], i1 = sp[1], j0 = sp[2], j1 = sp[3];
        out[b] = 0.0;
        if (i1 > i0 && j1 > j0)
            out[b] = relative ? dice(&t, i1, j1, i1 - i0, j1 - j0) : cosine(&t, i1, j1, i1 - i0, j1 - j0);
    }
done:
    release(&h2);
    release(&h);
    return result;
}

/* csr_row_dots(indptr, indices, data, rows, d) -> bytes: float64 dot of each CSR row r with row r + d */
static PyObject *py_csr_row_dots(PyObject *self, PyObject *args) {
    PyObject *indptr_o, *indices_o, *data_o;
    Py_ssize_t nrows, d, nnz;
    if (!PyArg_ParseTuple(args, "OOOnnn", &indptr_o, &indices_o, &data_o, &nrows, &nnz, &d)) return NULL;
    Held h = {.held = 0};
    PyObject *result = NULL;
    const int64_t *indptr = take(&h, indptr_o, nrows + 1, 8, "indptr");
    const int64_t *indices = indptr ? take(&h, indices_o, nnz, 8, "indices") : NULL;
    const double *data = indices ? take(&h, data_o, nnz, 8, "data") : NULL;
    if (!data) goto done;
    if (d < 0 || indptr[0] != 0 || indptr[nrows] != nnz) {
        PyErr_SetString(PyExc_ValueError, "csr_row_dots: bad matrix");
        goto done;
    }
    for (Py_ssize_t r = 0; r < nrows; r++) {
        if (indptr[r + 1] < indptr[r]) {
            PyErr_SetString(PyExc_ValueError, "csr_row_dots: bad matrix");
            goto done;
        }
    }
    Py_ssize_t rows = nrows - d > 0 ? nrows - d : 0;
    result = PyBytes_FromStringAndSize(NULL, rows * 8);
    if (!result) goto done;
    double *out = (double *)PyBytes_AS_STRING(result);
    for (Py_ssize_t r = 0; r < rows; r++) {
        Py_ssize_t p = indptr[r], p_end = indptr[r + 1], q = indptr[r + d], q_end = indptr[r + d + 1];
        double total = 0.0;
        while (p < p_end && q < q_end) {
            if (indices[p] == indices[q]) {
                total += data[p] * data[q];
                p++;
                q++;
            } else if (indices[p] < indices[q]) {
                p++;
            } else {
                q++;
            }
        }
        out[r] = total;
    }
done:
    release(&h);
    return result;
}

static PyMethodDef methods[] = {
    {"fill", py_fill, METH_VARARGS, "The DP's back-pointers over the band."},
    {"gain", py_gain, METH_VARARGS, "One bead's gain, as the DP computes it."},
    {"similarities", py_similarities, METH_VARARGS, "Each bead's similarity."},
    {"csr_row_dots", py_csr_row_dots, METH_VARARGS, "Dot of each CSR row with the row d below it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", "xling's compiled alignment kernel.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
