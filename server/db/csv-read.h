/* csv-read.h - an RFC 4180 reader for the files StashHog exports (plan and
 * scene CSV): quoted fields, doubled quotes, commas and line breaks inside
 * quotes, CRLF or LF row ends.  Errors name the line the record starts on.
 *
 * Pure functions over a caller's buffer; no I/O, safe from any thread. */
#ifndef SH_DB_CSV_READ_H
#define SH_DB_CSV_READ_H

#include <stddef.h>

#include "sh-error.h"

#define SH_CSV_MAX_FIELDS 64

typedef struct sh_csv_reader {
    const char *p, *end;
    size_t line; /* 1-based line the next record starts on */
} sh_csv_reader;

typedef struct sh_csv_record {
    size_t line;                      /* line the record starts on */
    size_t n;                         /* fields */
    char *fields[SH_CSV_MAX_FIELDS];  /* malloc'd, NUL-terminated */
} sh_csv_record;

void sh_csv_reader_init(sh_csv_reader *r, const char *data, size_t len);
/* Reads the next record into rec (release it with sh_csv_record_clear).
 * *got is 0 at the end of the data.  A blank line is skipped.  Malformed
 * quoting, too many fields or a NUL byte are SH_ERR_INVALID with the line. */
sh_status sh_csv_next(sh_csv_reader *r, sh_csv_record *rec, int *got, sh_error *err);
void sh_csv_record_clear(sh_csv_record *rec);
/* Index of the header column named name, or -1. */
int sh_csv_column(const sh_csv_record *header, const char *name);

#endif
