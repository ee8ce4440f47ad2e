package ai.fastai4j.data.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.DatasetSpec.Resource;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetSpecTest {
    static final String ABC_MD5 = "900150983cd24fb0d6963f7d28e17f72";

    @Test
    void specRejectsBadValues() {
        URI u = URI.create("https://example.invalid/x.tgz");
        assertThrows(IllegalArgumentException.class, () -> new Resource("x.tgz", List.of(u), -1, "abc", null));
        assertThrows(IllegalArgumentException.class, () -> new Resource("../x.tgz", List.of(u), -1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Resource("x.tgz", List.of(), -1, null, null));
        Resource r = Resource.md5(u, 10, ABC_MD5);
        assertEquals("x.tgz", r.fileName());
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.archive("x", "a/b", r));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.archive("x", "..", r));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.files("x", "x", List.of(r, r)));
    }

    @Test
    void registryEntriesAreWellFormed() {
        for (DatasetSpec spec : List.of(URLs.FASHION_MNIST, URLs.FASHION_MNIST_SAMPLE, URLs.MNIST_SAMPLE, URLs.PETS,
                URLs.IMAGENETTE_160, URLs.CAMVID_TINY, URLs.CAMVID)) {
            assertTrue(spec.verified(), spec.name());
        }
        assertEquals(4, URLs.FASHION_MNIST.resources().size());
        assertEquals(DatasetSpec.Layout.FILES, URLs.FASHION_MNIST.layout());
        assertEquals("train-images-idx3-ubyte.gz", URLs.FASHION_MNIST.resources().get(0).fileName());
        assertEquals(2, URLs.FASHION_MNIST.resources().get(0).urls().size());
        assertEquals("oxford-iiit-pet.tgz", URLs.PETS.resources().get(0).fileName());
    }
}
