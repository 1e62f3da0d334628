/*
** func_date.c — date and time functions: date, time, datetime, julianday,
** unixepoch and strftime, with SQLite's time values and modifiers.
**
** HOW IT WORKS
**   As in SQLite, a moment is held in two forms that are computed from each
**   other on demand: a Julian day number in milliseconds (jd, exact
**   integer arithmetic), and broken-down fields (Y M D h m s and a time
**   zone offset).  The valid_* flags say which forms are current.  A time
**   value is "YYYY-MM-DD[( |T)HH:MM[:SS[.SSS]]][zone]", "HH:MM[:SS[.SSS]]"
**   (on 2000-01-01), "now" (ctx->now_us), or a number (a Julian day, or
**   Unix seconds with the 'unixepoch' / 'auto' modifier).  Modifiers are
**   applied left to right: "NNN days|hours|minutes|seconds|months|years",
**   "(+|-)HH:MM[:SS[.SSS]]", "start of day|month|year", "weekday N",
**   "unixepoch", "julianday", "auto", "localtime", "utc", "subsec".
**
** INVARIANTS
**   - Results exist only for Julian days 0 .. 464269060799999 ms (years
**     -4713 .. 9999); anything else, and any malformed input, is NULL.
**   - 'now' is ctx->now_us, so it is stable within a statement.
**   - Inputs are copied to a bounded NUL-terminated buffer before parsing.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

#define UNIX_EPOCH_JD INT64_C(210866760000000) /* 1970-01-01 as jd in ms */
#define MAX_JD INT64_C(464269060799999)

typedef struct dt {
    int64_t jd; /* Julian day times 86400000 */
    int Y, M, D, h, m;
    double s;
    int tz; /* minutes east of UTC */
    int valid_jd, valid_ymd, valid_hms, valid_tz, raw_s, tz_set, error, subsec;
} dt;

/* ---- conversions between the two forms ---------------------------------------- */

static int valid_jd(int64_t jd) { return jd >= 0 && jd <= MAX_JD; }

static void compute_jd(dt *p)
{
    int Y = 2000, M = 1, D = 1;
    if (p->valid_jd)
        return;
    if (p->valid_ymd)
        Y = p->Y, M = p->M, D = p->D;
    if (Y < -4713 || Y > 9999 || p->raw_s) {
        p->error = 1;
        return;
    }
    if (M <= 2)
        Y--, M += 12;
    int A = Y / 100, B = 2 - A + (A / 4);
    int X1 = 36525 * (Y + 4716) / 100, X2 = 306001 * (M + 1) / 10000;
    p->jd = (int64_t)((X1 + X2 + D + B - 1524.5) * 86400000);
    p->valid_jd = 1;
    if (p->valid_hms) {
        p->jd += p->h * INT64_C(3600000) + p->m * INT64_C(60000) + (int64_t)(p->s * 1000 + 0.5);
        if (p->valid_tz) {
            p->jd -= p->tz * INT64_C(60000);
            p->valid_ymd = p->valid_hms = p->valid_tz = 0;
        }
    }
}

static void compute_ymd(dt *p)
{
    if (p->valid_ymd)
        return;
    if (!p->valid_jd) {
        p->Y = 2000, p->M = 1, p->D = 1;
    } else if (!valid_jd(p->jd)) {
        p->error = 1;
        return;
    } else {
        int Z = (int)((p->jd + 43200000) / 86400000);
        int A = (int)((Z - 1867216.25) / 36524.25);
        A = Z + 1 + A - (A / 4);
        int B = A + 1524;
        int C = (int)((B - 122.1) / 365.25);
        int D = (36525 * (C & 32767)) / 100;
        int E = (int)((B - D) / 30.6001);
        int X1 = (int)(30.6001 * E);
        p->D = B - D - X1;
        p->M = E < 14 ? E - 1 : E - 13;
        p->Y = p->M > 2 ? C - 4716 : C - 4715;
    }
    p->valid_ymd = 1;
}

static void compute_hms(dt *p)
{
    if (p->valid_hms)
        return;
    compute_jd(p);
    int s = (int)((p->jd + 43200000) % 86400000);
    p->s = s / 1000.0;
    s = (int)p->s;
    p->s -= s;
    p->h = s / 3600;
    s -= p->h * 3600;
    p->m = s / 60;
    p->s += s - p->m * 60;
    p->raw_s = 0;
    p->valid_hms = 1;
}

static void compute_all(dt *p)
{
    compute_ymd(p);
    compute_hms(p);
}

static void clear_fields(dt *p) { p->valid_ymd = p->valid_hms = p->valid_tz = 0; }

/* ---- parsing time values -------------------------------------------------------- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* ndig digits at *z in [lo, hi] into *v, advancing *z; 0 if not. */
static int digits(const char **z, int ndig, int lo, int hi, int *v)
{
    int x = 0;
    for (int k = 0; k < ndig; k++) {
        if (!is_digit((*z)[k]))
            return 0;
        x = x * 10 + (*z)[k] - '0';
    }
    if (x < lo || x > hi)
        return 0;
    *z += ndig;
    *v = x;
    return 1;
}

/* "[+-]HH:MM" or "Z" and trailing spaces; 0 if something else follows. */
static int parse_zone(const char *z, dt *p)
{
    int sgn, h, m;
    while (hdb__sql_isspace((unsigned char)*z))
        z++;
    p->tz = 0;
    if (*z == 'Z' || *z == 'z') {
        z++;
    } else if (*z == '+' || *z == '-') {
        sgn = *z++ == '-' ? -1 : 1;
        if (!digits(&z, 2, 0, 14, &h) || *z++ != ':' || !digits(&z, 2, 0, 59, &m))
            return 0;
        p->tz = sgn * (m + h * 60);
    } else {
        return *z == 0;
    }
    while (hdb__sql_isspace((unsigned char)*z))
        z++;
    p->tz_set = 1;
    return *z == 0;
}

/* "HH:MM[:SS[.SSS]][zone]". */
static int parse_hms(const char *z, dt *p)
{
    int h, m, s = 0;
    double ms = 0;
    if (!digits(&z, 2, 0, 24, &h) || *z++ != ':' || !digits(&z, 2, 0, 59, &m))
        return 0;
    if (*z == ':') {
        z++;
        if (!digits(&z, 2, 0, 59, &s))
            return 0;
        if (*z == '.' && is_digit(z[1])) {
            double scale = 1.0;
            for (z++; is_digit(*z); z++)
                ms = ms * 10.0 + (*z - '0'), scale *= 10.0;
            ms /= scale;
        }
    }
    p->valid_jd = 0, p->raw_s = 0, p->valid_hms = 1;
    p->h = h, p->m = m, p->s = s + ms;
    if (!parse_zone(z, p))
        return 0;
    p->valid_tz = p->tz != 0;
    return 1;
}

/* "[-]YYYY-MM-DD[( |T)time]". */
static int parse_ymd(const char *z, dt *p)
{
    int Y, M, D, neg = *z == '-';
    z += neg;
    if (!digits(&z, 4, 0, 9999, &Y) || *z++ != '-' || !digits(&z, 2, 1, 12, &M) || *z++ != '-' ||
        !digits(&z, 2, 1, 31, &D))
        return 0;
    while (hdb__sql_isspace((unsigned char)*z) || *z == 'T')
        z++;
    if (!parse_hms(z, p)) {
        if (*z)
            return 0;
        p->valid_hms = 0;
    }
    p->valid_jd = 0, p->valid_ymd = 1;
    p->Y = neg ? -Y : Y, p->M = M, p->D = D;
    if (p->valid_tz)
        compute_jd(p);
    return 1;
}

static void set_now(hdb_sql_fctx *ctx, dt *p)
{
    p->jd = ctx->now_us / 1000 + UNIX_EPOCH_JD;
    p->valid_jd = 1;
}

static void set_raw_number(dt *p, double r)
{
    p->s = r;
    p->raw_s = 1;
    if (r >= 0.0 && r < 5373484.5) {
        p->jd = (int64_t)(r * 86400000.0 + 0.5);
        p->valid_jd = 1;
    }
}

/* Copy v's text into buf (NUL-terminated); 0 for NULL or too long. */
static int arg_text(const hdb_sql_value *v, char *buf, size_t cap)
{
    char tmp[40];
    size_t n;
    const char *s = hdb__sql_func_text(v, tmp, &n);
    if (!s || n >= cap || memchr(s, 0, n))
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    return 1;
}

static int parse_time_value(hdb_sql_fctx *ctx, const hdb_sql_value *v, dt *p)
{
    char z[128];
    hdb_sql_num num;
    if (v->type == HDB_INTEGER || v->type == HDB_FLOAT) {
        set_raw_number(p, hdb__sql_value_to_float(v));
        return 1;
    }
    if (!arg_text(v, z, sizeof z))
        return 0;
    if (parse_ymd(z, p))
        return 1;
    memset(p, 0, sizeof *p);
    if (parse_hms(z, p))
        return 1;
    memset(p, 0, sizeof *p);
    if (strcasecmp(z, "now") == 0) {
        set_now(ctx, p);
        return 1;
    }
    hdb__sql_num_parse(z, strlen(z), &num);
    if (num.type && num.whole) {
        set_raw_number(p, num.f);
        return 1;
    }
    return 0;
}

/* ---- modifiers ------------------------------------------------------------------ */

/* Local time minus UTC at the moment p, in ms (0 if it cannot be known). */
static int64_t local_offset(dt *p)
{
    compute_jd(p);
    int64_t secs = (p->jd - UNIX_EPOCH_JD) / 1000;
    if (secs < -(INT64_C(1) << 40) || secs > (INT64_C(1) << 40))
        return 0;
    time_t t = (time_t)secs;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    dt y;
    memset(&y, 0, sizeof y);
    y.Y = tm.tm_year + 1900, y.M = tm.tm_mon + 1, y.D = tm.tm_mday;
    y.h = tm.tm_hour, y.m = tm.tm_min, y.s = tm.tm_sec;
    y.valid_ymd = y.valid_hms = 1;
    compute_jd(&y);
    return y.error ? 0 : y.jd - (secs * 1000 + UNIX_EPOCH_JD);
}

/* "NNN units" with r the number and unit the rest; 0 if not a unit. */
static int add_units(dt *p, double r, const char *unit)
{
    static const struct {
        const char *name;
        double limit, secs;
    } units[] = {
        {"second", 4.6427e+14, 1.0},  {"minute", 7.7379e+12, 60.0}, {"hour", 1.2897e+11, 3600.0},
        {"day", 5373485.0, 86400.0}, {"month", 176546.0, 2592000.0}, {"year", 14713.0, 31536000.0},
    };
    size_t n = strlen(unit);
    if (n > 10 || n < 3)
        return 0;
    if ((unit[n - 1] | 32) == 's')
        n--;
    compute_jd(p);
    for (int i = 0; i < 6; i++) {
        if (strlen(units[i].name) != n || strncasecmp(units[i].name, unit, n) != 0 || !(r > -units[i].limit) ||
            !(r < units[i].limit))
            continue;
        if (i == 4) { /* months: by the calendar */
            compute_all(p);
            p->M += (int)r;
            int x = p->M > 0 ? (p->M - 1) / 12 : (p->M - 12) / 12;
            p->Y += x;
            p->M -= x * 12;
            p->valid_jd = 0;
            r -= (int)r;
        } else if (i == 5) {
            compute_all(p);
            p->Y += (int)r;
            p->valid_jd = 0;
            r -= (int)r;
        }
        compute_jd(p);
        p->jd += (int64_t)(r * 1000.0 * units[i].secs + (r < 0 ? -0.5 : 0.5));
        clear_fields(p);
        return 1;
    }
    return 0;
}

/* "+NNN units" or "(+|-)HH:MM[:SS[.SSS]]". */
static int numeric_modifier(dt *p, const char *z)
{
    size_t n = 1;
    hdb_sql_num num;
    while (z[n] && z[n] != ':' && !hdb__sql_isspace((unsigned char)z[n]))
        n++;
    hdb__sql_num_parse(z, n, &num);
    if (!num.type || !num.whole)
        return 0;
    if (z[n] == ':') {
        dt tx;
        memset(&tx, 0, sizeof tx);
        if (!parse_hms(is_digit(z[0]) ? z : z + 1, &tx))
            return 0;
        compute_jd(&tx);
        tx.jd -= 43200000;
        tx.jd -= tx.jd / 86400000 * 86400000;
        if (z[0] == '-')
            tx.jd = -tx.jd;
        compute_jd(p);
        clear_fields(p);
        p->jd += tx.jd;
        return 1;
    }
    z += n;
    while (hdb__sql_isspace((unsigned char)*z))
        z++;
    return add_units(p, num.f, z);
}

/* 'unixepoch' and 'auto' (first modifier only): a number as Unix seconds. */
static int mod_epoch(dt *p, int is_auto, int first)
{
    if (!first || (!is_auto && !p->raw_s))
        return 0;
    if (is_auto && (!p->raw_s || p->valid_jd)) { /* not a number, or a Julian day */
        p->raw_s = 0;
        return 1;
    }
    if (is_auto && !(p->s >= -210866760000.0 && p->s <= 253402300799.0))
        return 0;
    double r = p->s * 1000.0 + (double)UNIX_EPOCH_JD;
    if (!(r >= 0.0 && r < 464269060800000.0))
        return 0;
    clear_fields(p);
    p->jd = (int64_t)(r + 0.5);
    p->valid_jd = 1;
    p->raw_s = 0;
    return 1;
}

/* 'localtime' (to_local) and 'utc'. */
static int mod_zone(dt *p, int to_local)
{
    if (to_local) {
        compute_jd(p);
        p->jd += local_offset(p);
        clear_fields(p);
        return 1;
    }
    if (!p->tz_set) {
        int64_t c1 = local_offset(p);
        p->jd -= c1;
        clear_fields(p);
        p->jd += c1 - local_offset(p);
    }
    p->tz_set = 1;
    return 1;
}

/* 'weekday N': forward to the next day N (0 Sunday), or stay. */
static int mod_weekday(dt *p, const char *arg)
{
    hdb_sql_num num;
    hdb__sql_num_parse(arg, strlen(arg), &num);
    if (!num.type || !num.whole || num.f < 0 || num.f >= 7 || num.f != (int)num.f)
        return 0;
    int n = (int)num.f;
    compute_all(p);
    p->valid_tz = 0;
    p->valid_jd = 0;
    compute_jd(p);
    int Z = (int)(((p->jd + 129600000) / 86400000) % 7);
    if (Z > n)
        Z -= 7;
    p->jd += (int64_t)(n - Z) * 86400000;
    clear_fields(p);
    return 1;
}

/* 'start of day|month|year'. */
static int mod_start_of(dt *p, const char *unit)
{
    if (!p->valid_jd && !p->valid_ymd && !p->valid_hms)
        return 0;
    compute_ymd(p);
    p->valid_hms = 1;
    p->h = p->m = 0;
    p->s = 0.0;
    p->raw_s = 0;
    p->valid_tz = 0;
    p->valid_jd = 0;
    if (strcasecmp(unit, "month") == 0)
        p->D = 1;
    else if (strcasecmp(unit, "year") == 0)
        p->M = 1, p->D = 1;
    else if (strcasecmp(unit, "day") != 0)
        return 0;
    return 1;
}

/* Apply modifier z to p; first says whether it is the first one.  0 if
 * the modifier is unknown or does not apply (the result is NULL). */
static int apply_modifier(dt *p, const char *z, int first)
{
    if (strcasecmp(z, "unixepoch") == 0 || strcasecmp(z, "auto") == 0)
        return mod_epoch(p, (z[0] | 32) == 'a', first);
    if (strcasecmp(z, "julianday") == 0) {
        if (!first || !p->valid_jd || !p->raw_s)
            return 0;
        p->raw_s = 0;
        return 1;
    }
    if (strcasecmp(z, "localtime") == 0 || strcasecmp(z, "utc") == 0)
        return mod_zone(p, (z[0] | 32) == 'l');
    if (strcasecmp(z, "subsec") == 0 || strcasecmp(z, "subsecond") == 0) {
        p->subsec = 1;
        return 1;
    }
    if (strncasecmp(z, "weekday ", 8) == 0)
        return mod_weekday(p, z + 8);
    if (strncasecmp(z, "start of ", 9) == 0)
        return mod_start_of(p, z + 9);
    if (z[0] == '+' || z[0] == '-' || is_digit(z[0]))
        return numeric_modifier(p, z);
    return 0;
}

/* Parse argv (time value and modifiers) into p; 0 means the result is NULL. */
static int is_date(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, dt *p)
{
    char z[128];
    memset(p, 0, sizeof *p);
    if (argc == 0) {
        set_now(ctx, p);
    } else if (!parse_time_value(ctx, &argv[0], p)) {
        return 0;
    }
    for (int k = 1; k < argc; k++) {
        if (!arg_text(&argv[k], z, sizeof z) || !apply_modifier(p, z, k == 1))
            return 0;
        if (p->error || (p->valid_jd && (p->jd > INT64_C(1) << 60 || p->jd < -(INT64_C(1) << 60))))
            return 0; /* far outside any date: NULL, before any arithmetic can overflow */
    }
    compute_jd(p);
    return !p->error && valid_jd(p->jd);
}

/* ---- the functions ------------------------------------------------------------------ */

/* YYYY-MM-DD; a negative year is '-' and four digits. */
static void put_date(hdb_buf *b, const dt *p)
{
    hdb__buf_printf(b, "%s%04d-%02d-%02d", p->Y < 0 ? "-" : "", p->Y < 0 ? -p->Y : p->Y, p->M, p->D);
}

/* Seconds with milliseconds when 'subsec' was given. */
static void put_seconds(hdb_buf *b, const dt *p)
{
    if (p->subsec)
        hdb__buf_printf(b, "%06.3f", p->s > 59.999 ? 59.999 : p->s);
    else
        hdb__buf_printf(b, "%02d", (int)p->s);
}

static int date_result(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out, int what)
{
    dt x;
    hdb_buf b;
    hdb__sql_value_clear(out);
    if (!is_date(ctx, argc, argv, &x))
        return HDB_OK;
    compute_all(&x);
    if (x.error)
        return HDB_OK;
    hdb__buf_init(&b, NULL);
    if (what != 't')
        put_date(&b, &x);
    if (what == 'T')
        hdb__buf_append(&b, " ", 1);
    if (what != 'd') {
        hdb__buf_printf(&b, "%02d:%02d:", x.h, x.m);
        put_seconds(&b, &x);
    }
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

static int fn_date(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return date_result(ctx, argc, argv, out, 'd');
}

static int fn_time(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return date_result(ctx, argc, argv, out, 't');
}

static int fn_datetime(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return date_result(ctx, argc, argv, out, 'T');
}

static int fn_julianday(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    dt x;
    hdb__sql_value_clear(out);
    if (is_date(ctx, argc, argv, &x))
        hdb__sql_value_float(out, (double)x.jd / 86400000.0);
    return HDB_OK;
}

static int fn_unixepoch(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    dt x;
    hdb__sql_value_clear(out);
    if (!is_date(ctx, argc, argv, &x))
        return HDB_OK;
    if (x.subsec)
        hdb__sql_value_float(out, (double)(x.jd - UNIX_EPOCH_JD) / 1000.0);
    else
        hdb__sql_value_int(out, x.jd / 1000 - UNIX_EPOCH_JD / 1000);
    return HDB_OK;
}

/* Day of the year, 0-based. */
static int day_of_year(const dt *x)
{
    dt y = *x;
    y.valid_jd = 0;
    y.M = 1, y.D = 1; /* same time of day */
    compute_jd(&y);
    return (int)((x->jd - y.jd + 43200000) / 86400000);
}

/* One strftime conversion; 0 for an unknown one (the result is NULL). */
static int strftime_one(hdb_buf *b, dt *x, char c)
{
    int hour12 = x->h % 12 == 0 ? 12 : x->h % 12;
    switch (c) {
    case 'd': hdb__buf_printf(b, "%02d", x->D); return 1;
    case 'e': hdb__buf_printf(b, "%2d", x->D); return 1;
    case 'f': hdb__buf_printf(b, "%06.3f", x->s > 59.999 ? 59.999 : x->s); return 1;
    case 'F': put_date(b, x); return 1;
    case 'H': hdb__buf_printf(b, "%02d", x->h); return 1;
    case 'k': hdb__buf_printf(b, "%2d", x->h); return 1;
    case 'I': hdb__buf_printf(b, "%02d", hour12); return 1;
    case 'l': hdb__buf_printf(b, "%2d", hour12); return 1;
    case 'p': hdb__buf_puts(b, x->h >= 12 ? "PM" : "AM"); return 1;
    case 'P': hdb__buf_puts(b, x->h >= 12 ? "pm" : "am"); return 1;
    case 'j': hdb__buf_printf(b, "%03d", day_of_year(x) + 1); return 1;
    case 'J': hdb__buf_printf(b, "%.16g", (double)x->jd / 86400000.0); return 1;
    case 'm': hdb__buf_printf(b, "%02d", x->M); return 1;
    case 'M': hdb__buf_printf(b, "%02d", x->m); return 1;
    case 'R': hdb__buf_printf(b, "%02d:%02d", x->h, x->m); return 1;
    case 's': hdb__buf_printf(b, "%lld", (long long)(x->jd / 1000 - UNIX_EPOCH_JD / 1000)); return 1;
    case 'S': hdb__buf_printf(b, "%02d", (int)x->s); return 1;
    case 'T': hdb__buf_printf(b, "%02d:%02d:%02d", x->h, x->m, (int)x->s); return 1;
    case 'u': hdb__buf_printf(b, "%d", (int)(((x->jd + 43200000) / 86400000) % 7) + 1); return 1;
    case 'w': hdb__buf_printf(b, "%d", (int)(((x->jd + 129600000) / 86400000) % 7)); return 1;
    case 'W': {
        int wd = (int)(((x->jd + 43200000) / 86400000) % 7); /* Monday 0 */
        hdb__buf_printf(b, "%02d", (day_of_year(x) + 7 - wd) / 7);
        return 1;
    }
    case 'U': {
        int wd = (int)(((x->jd + 129600000) / 86400000) % 7); /* Sunday 0 */
        hdb__buf_printf(b, "%02d", (day_of_year(x) + 7 - wd) / 7);
        return 1;
    }
    case 'Y': hdb__buf_printf(b, "%04d", x->Y); return 1; /* SQLite: -44 is "-044" here */
    case '%': hdb__buf_append(b, "%", 1); return 1;
    default: return 0;
    }
}

static int fn_strftime(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    dt x;
    const char *fmt = hdb__sql_func_text(&argv[0], tmp, &n);
    hdb__sql_value_clear(out);
    if (!fmt || !is_date(ctx, argc - 1, argv + 1, &x))
        return HDB_OK;
    compute_all(&x);
    if (x.error)
        return HDB_OK;
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (size_t k = 0; k < n; k++) {
        if (fmt[k] != '%') {
            hdb__buf_append(&b, fmt + k, 1);
            continue;
        }
        if (++k >= n || !strftime_one(&b, &x, fmt[k])) {
            hdb__buf_free(&b);
            return HDB_OK;
        }
    }
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

const hdb_sql_funcdef hdb__sql_funcs_date[] = {
    {"date", 0, -1, fn_date, NULL, 0},
    {"time", 0, -1, fn_time, NULL, 0},
    {"datetime", 0, -1, fn_datetime, NULL, 0},
    {"julianday", 0, -1, fn_julianday, NULL, 0},
    {"unixepoch", 0, -1, fn_unixepoch, NULL, 0},
    {"strftime", 1, -1, fn_strftime, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0},
};
