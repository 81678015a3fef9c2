package sdm.slave.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import sdm.api.Platform;
import sdm.testkit.Folders;
import sdm.testkit.Gcc;

/**
 * A real library that calls JavaScript through include/sdm.h, compiled by gcc once per test run.
 * Its functions make calls and posts on the thread SDM called them on or on threads of their
 * own, and return what they got as {@code CODE|OUT|intact} ({@code overrun} if a byte past cap
 * was written). The text {@code NULL} for a string argument passes a NULL pointer; a cap of -1
 * passes a NULL buffer.
 */
final class JsLibrary {

    static final String PATH = "native/test/libjsdemo.so";

    private static final String SOURCE = """
            #include <pthread.h>
            #include <stdatomic.h>
            #include <stdio.h>
            #include <string.h>
            #include <sdm.h>

            static const sdm_js_api *_Atomic js;
            static atomic_int stopping;
            static pthread_t callers[16];
            static int ncallers;
            static char callers_file[4096];

            /* given NULL, stop and join every thread of ours: the library is unloaded right after */
            void sdm_set_js(const sdm_js_api *api) {
                if (api == NULL) {
                    atomic_store(&stopping, 1);
                    for (int i = 0; i < ncallers; i++) pthread_join(callers[i], NULL);
                    ncallers = 0;
                }
                atomic_store(&js, api);
            }

            static const char *arg(const char *s) { return s && strcmp(s, "NULL") == 0 ? NULL : s; }

            int table_version(void) { const sdm_js_api *a = js; return a ? a->version : -100; }

            struct job { const char *function, *args; int cap, timeout; char text[8192]; };

            static void run_job(struct job *j) {
                char out[4096];
                memset(out, '#', sizeof out);
                const sdm_js_api *a = js;
                if (!a) { snprintf(j->text, sizeof j->text, "no table"); return; }
                int code = a->call(arg(j->function), arg(j->args), j->cap < 0 ? NULL : out,
                                   j->cap < 0 ? 16 : (size_t) j->cap, j->timeout);
                snprintf(j->text, sizeof j->text, "%d|%s|%s", code, j->cap > 0 ? out : "",
                         j->cap < 0 || out[j->cap] == '#' ? "intact" : "overrun");
            }

            static void *job_thread(void *p) { run_job(p); return NULL; }

            const char *call_here(const char *function, const char *args, int cap, int timeout) {
                static __thread struct job j;
                j = (struct job) {function, args, cap, timeout};
                run_job(&j);
                return j.text;
            }

            const char *call_on_thread(const char *function, const char *args, int cap, int timeout) {
                static __thread struct job j;
                j = (struct job) {function, args, cap, timeout};
                pthread_t t;
                pthread_create(&t, NULL, job_thread, &j);
                pthread_join(t, NULL);
                return j.text;
            }

            /* n threads at once (at most 8), thread i calling add(i, 100); their texts joined by ';' */
            const char *call_on_threads(int n) {
                static __thread struct job jobs[8];
                static __thread char args[8][32];
                static __thread char all[8 * 8200];
                pthread_t t[8];
                for (int i = 0; i < n; i++) {
                    snprintf(args[i], sizeof args[i], "[%d, 100]", i);
                    jobs[i] = (struct job) {"add", args[i], 64, 10000};
                    pthread_create(&t[i], NULL, job_thread, &jobs[i]);
                }
                all[0] = 0;
                for (int i = 0; i < n; i++) {
                    pthread_join(t[i], NULL);
                    if (i > 0) strcat(all, ";");
                    strcat(all, jobs[i].text);
                }
                return all;
            }

            int post_here(const char *function, const char *args, int ttl) {
                return js->post(arg(function), arg(args), ttl);
            }

            /* posts [first] ... [first + n - 1] to function; returns how many were not SDM_OK */
            int post_many(const char *function, int first, int n, int ttl) {
                char args[32];
                int failed = 0;
                const sdm_js_api *a = js;
                for (int i = 0; i < n; i++) {
                    snprintf(args, sizeof args, "[%d]", first + i);
                    if (a->post(function, args, ttl) != SDM_OK) failed++;
                }
                return failed;
            }

            /* each caller calls slow() until stopped, then appends the code it left with to callers_file */
            static void *caller(void *unused) {
                char out[256] = "";
                int last = 0;
                while (!atomic_load(&stopping)) {
                    const sdm_js_api *a = js;
                    if (!a) break;
                    last = a->call("slow", "[]", out, sizeof out, 60000);
                    if (last == SDM_ESTOPPED) break;
                }
                FILE *f = fopen(callers_file, "a");
                if (f) { fprintf(f, "%d %s\\n", last, out); fclose(f); }
                return NULL;
            }

            void start_callers(int n, const char *file) {
                snprintf(callers_file, sizeof callers_file, "%s", file);
                for (int i = 0; i < n && ncallers < 16; i++) pthread_create(&callers[ncallers++], NULL, caller, NULL);
            }
            """;

    private static final String FUNCTIONS = """
            {"name": "table_version", "returns": "int", "params": []},
            {"name": "call_here", "returns": "string", "params": ["string", "string", "int", "int"]},
            {"name": "call_on_thread", "returns": "string", "params": ["string", "string", "int", "int"]},
            {"name": "call_on_threads", "returns": "string", "params": ["int"]},
            {"name": "post_here", "returns": "int", "params": ["string", "string", "int"]},
            {"name": "post_many", "returns": "int", "params": ["string", "int", "int", "int"]},
            {"name": "start_callers", "returns": "void", "params": ["int", "string"]}
            """;

    /** What the program's JavaScript exports to its C code; {@link FakeMaster} answers them. */
    private static final String EXPORTS = """
            {"name": "add", "returns": "int", "params": ["int", "int"]},
            {"name": "big", "returns": "long", "params": []},
            {"name": "ratio", "returns": "double", "params": ["double"]},
            {"name": "yes", "returns": "bool", "params": []},
            {"name": "greet", "returns": "string", "params": ["string"]},
            {"name": "nothing", "returns": "void", "params": []},
            {"name": "fails", "returns": "int", "params": []},
            {"name": "slow", "returns": "void", "params": []},
            {"name": "note", "returns": "void", "params": ["int"]}
            """;

    private static byte[] library;

    private JsLibrary() {
    }

    static synchronized byte[] bytes() throws IOException, InterruptedException {
        if (library == null) {
            Path dir = Files.createTempDirectory("sdm-gcc");
            try {
                Path lib = Gcc.sharedLibrary(dir.resolve("libjsdemo.so"), SOURCE, "-pthread",
                        "-I", System.getProperty("sdm.include", "../include"));
                library = Files.readAllBytes(lib);
            } finally {
                Folders.deleteTree(dir);
            }
        }
        return library;
    }

    static String manifest() {
        return """
                {"name": "demo", "version": "1.0.0",
                  "master": {"main": "js/main.js", "exports": [%s]},
                  "native": {"libraries": [{"os": "%s", "arch": "%s", "path": "%s"}], "functions": [%s]}}
                """.formatted(EXPORTS, Platform.os(), Platform.arch(), PATH, FUNCTIONS);
    }
}
