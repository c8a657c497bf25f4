/* http-client.c - minimal libcurl helpers for the fake-stash tests. */
#include "http-client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    fsh_resp *r = user;
    size_t n = size * nmemb;
    char *p = realloc(r->body, r->len + n + 1);
    if (!p)
        return 0;
    r->body = p;
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    fsh_resp *r = user;
    size_t n = size * nmemb;
    if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        const char *v = data + 12;
        while (*v == ' ')
            v++;
        size_t k = 0;
        while (k + 1 < sizeof(r->retry_after) && v + k < data + n && v[k] != '\r' && v[k] != '\n') {
            r->retry_after[k] = v[k];
            k++;
        }
        r->retry_after[k] = '\0';
    }
    return n;
}

int fsh_request(uint16_t port, const char *method, const char *path, const char *api_key,
                const char *body, fsh_resp *out)
{
    memset(out, 0, sizeof(*out));
    out->body = calloc(1, 1);
    CURL *c = curl_easy_init();
    if (!c || !out->body) {
        curl_easy_cleanup(c);
        return CURLE_OUT_OF_MEMORY;
    }
    char url[512], key[512];
    struct curl_slist *hdrs = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    if (api_key) {
        snprintf(key, sizeof(key), "ApiKey: %s", api_key);
        hdrs = curl_slist_append(hdrs, key);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    out->curl_code = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    double secs = 0;
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &secs);
    out->elapsed_ms = secs * 1000.0;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return out->curl_code;
}

void fsh_resp_free(fsh_resp *r)
{
    free(r->body);
    r->body = NULL;
}

json_t *fsh_graphql(uint16_t port, const char *api_key, const char *op, json_t *vars,
                    long *status)
{
    json_t *req = json_pack("{s:s,s:s,s:o}", "operationName", op, "query",
                            "# the fake dispatches on operationName", "variables",
                            vars ? vars : json_object());
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    fsh_resp r;
    fsh_request(port, "POST", "/graphql", api_key, text, &r);
    free(text);
    if (status)
        *status = r.status;
    json_t *doc = json_loads(r.body, 0, NULL);
    fsh_resp_free(&r);
    return doc;
}

json_t *fsh_data(json_t *doc, const char *field)
{
    json_t *v = json_object_get(json_object_get(doc, "data"), field);
    return json_object_get(doc, "errors") ? NULL : v;
}

json_t *fsh_control(uint16_t port, const char *method, const char *path, json_t *body,
                    long *status)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    char full[256];
    snprintf(full, sizeof(full), "/__control/%s", path);
    fsh_resp r;
    fsh_request(port, method, full, NULL, text, &r);
    free(text);
    if (status)
        *status = r.status;
    json_t *doc = json_loads(r.body, 0, NULL);
    fsh_resp_free(&r);
    return doc;
}
