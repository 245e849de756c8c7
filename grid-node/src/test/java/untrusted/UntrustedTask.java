package untrusted;

import java.io.Serializable;
import java.util.concurrent.Callable;

/** A serializable task from a package that is not allow-listed: members must refuse to deserialize it. */
public class UntrustedTask implements Callable<String>, Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public String call() {
        return "ran";
    }
}
