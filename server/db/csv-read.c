#include "db/csv-read.h"

#include <stdlib.h>
#include <string.h>

void sh_csv_reader_init(sh_csv_reader *r, const char *data, size_t len)
{
    r->p = data;
    r->end = data + len;
    r->line = 1;
    /* A UTF-8 byte order mark from a spreadsheet is not part of the header. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
}

void sh_csv_record_clear(sh_csv_record *rec)
{
    for (size_t i = 0; i < rec->n; i++)
        free(rec->fields[i]);
    rec->n = 0;
}

static sh_status push(sh_csv_record *rec, const char *start, size_t len, size_t line, sh_error *err)
{
    if (rec->n >= SH_CSV_MAX_FIELDS)
        return sh_error_set(err, SH_ERR_INVALID, "line %zu: more than %d fields", line, SH_CSV_MAX_FIELDS);
    char *f = malloc(len + 1);
    if (!f)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    /* Unescape doubled quotes while copying (start may be a quoted body). */
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        f[o++] = start[i];
        if (start[i] == '"' && i + 1 < len && start[i + 1] == '"')
            i++;
    }
    f[o] = '\0';
    rec->fields[rec->n++] = f;
    return SH_OK;
}

sh_status sh_csv_next(sh_csv_reader *r, sh_csv_record *rec, int *got, sh_error *err)
{
    rec->n = 0;
    *got = 0;
    /* Skip blank lines between records. */
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
    if (r->p >= r->end)
        return SH_OK;
    rec->line = r->line;
    sh_status st = SH_OK;
    for (;;) {
        const char *start = r->p;
        size_t len = 0;
        if (r->p < r->end && *r->p == '"') {
            start = ++r->p;
            for (;;) {
                if (r->p >= r->end) {
                    st = sh_error_set(err, SH_ERR_INVALID, "line %zu: unterminated quoted field", rec->line);
                    goto fail;
                }
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        r->p += 2;
                        continue;
                    }
                    break;
                }
                if (*r->p == '\n')
                    r->line++;
                r->p++;
            }
            len = (size_t)(r->p - start);
            r->p++; /* closing quote */
            if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
                st = sh_error_set(err, SH_ERR_INVALID, "line %zu: text after a closing quote", r->line);
                goto fail;
            }
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
                if (*r->p == '"') {
                    st = sh_error_set(err, SH_ERR_INVALID, "line %zu: quote inside an unquoted field", r->line);
                    goto fail;
                }
                r->p++;
            }
            len = (size_t)(r->p - start);
        }
        if (memchr(start, '\0', len)) {
            st = sh_error_set(err, SH_ERR_INVALID, "line %zu: NUL byte in a field", r->line);
            goto fail;
        }
        if ((st = push(rec, start, len, rec->line, err)) != SH_OK)
            goto fail;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        /* End of record: CRLF, LF, lone CR or end of data. */
        if (r->p < r->end && *r->p == '\r')
            r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        break;
    }
    *got = 1;
    return SH_OK;
fail:
    sh_csv_record_clear(rec);
    return st;
}

int sh_csv_column(const sh_csv_record *header, const char *name)
{
    for (size_t i = 0; i < header->n; i++)
        if (strcmp(header->fields[i], name) == 0)
            return (int)i;
    return -1;
}
