/* The C part of hello: what every slave runs. */
#include <stdio.h>

static char greeting[128];
static long ticks;

int add(int a, int b) {
    return a + b;
}

/* The returned string is copied by the caller, never freed. */
const char *greet(const char *who) {
    snprintf(greeting, sizeof greeting, "hello, %s", who);
    return greeting;
}

void tick(void) {
    ticks++;
}
