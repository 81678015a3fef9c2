package sdm.bench;

/**
 * The footprint baseline: a JVM that does nothing, started with the slaves' own flags. It prints
 * when its {@code main} began and then waits to be killed.
 */
public final class IdleJvm {

    private IdleJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("main " + System.currentTimeMillis());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
