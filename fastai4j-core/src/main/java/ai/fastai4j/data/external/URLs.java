package ai.fastai4j.data.external;

import ai.fastai4j.data.external.DatasetSpec.Resource;
import java.net.URI;
import java.util.List;

/**
 * Known datasets, like fastai's {@code URLs}. Pass one to {@link ExternalData#untarData(DatasetSpec)}.
 *
 * <p>Fashion-MNIST files are checked by SHA-256. fastai's datasets are checked by the size and MD5 that
 * fastai publishes ({@code fastai/data/checks.txt}); no SHA-256 is recorded for them.
 */
public final class URLs {
    /** Base URL of the fastai image-classification datasets. */
    public static final String S3_IMAGE = "https://s3.amazonaws.com/fast-ai-imageclas/";
    /** Base URL of the fastai sample datasets. */
    public static final String S3_SAMPLE = "https://s3.amazonaws.com/fast-ai-sample/";
    /** Fashion-MNIST in its GitHub repository ({@code data/fashion}). */
    public static final String FASHION_MNIST_GITHUB =
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/";
    /** Fashion-MNIST download links as published in its README. */
    public static final String FASHION_MNIST_S3 = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /**
     * Fashion-MNIST (Zalando Research, MIT licence): the four canonical IDX {@code .gz} files, kept
     * compressed in folder {@code fashion-mnist}. 60,000 train and 10,000 test 28x28 grey images, 10 classes.
     * Read it with {@code ai.fastai4j.vision.data.FashionMnist}.
     */
    public static final DatasetSpec FASHION_MNIST = DatasetSpec.files("Fashion-MNIST", "fashion-mnist", List.of(
            fashionMnist("train-images-idx3-ubyte.gz", 26_421_880,
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            fashionMnist("train-labels-idx1-ubyte.gz", 29_515,
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            fashionMnist("t10k-images-idx3-ubyte.gz", 4_422_102,
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            fashionMnist("t10k-labels-idx1-ubyte.gz", 5_148,
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")));

    /** Class path name of the Fashion-MNIST sample zip shipped in the fastai4j-samples jar. */
    public static final String FASHION_MNIST_SAMPLE_RESOURCE = "ai/fastai4j/samples/fashion_mnist_sample.zip";
    /** SHA-256 of {@link #FASHION_MNIST_SAMPLE_RESOURCE}; update it when bench's MakeFashionSample is run again. */
    public static final String FASHION_MNIST_SAMPLE_SHA256 =
            "465076c0ee05a79dda5d32a90f24cc0c784fb21ee7c39a35124a49f1c99e5543";
    /** Size in bytes of {@link #FASHION_MNIST_SAMPLE_RESOURCE}. */
    public static final long FASHION_MNIST_SAMPLE_SIZE = 4_047_114;

    /**
     * A small real Fashion-MNIST sample shipped in the fastai4j-samples jar (needs it on the class path: the
     * command line and the examples carry it; add {@code ai.fastai4j:fastai4j-samples} to your build), like
     * fastai's MNIST_SAMPLE: {@code train/<class>/<index>.png} (first 500 of each class of the train split)
     * and {@code valid/<class>/<index>.png} (first 100 of each class of the test split), 28x28 grey PNGs.
     * Extracted into the cache on first use; works offline.
     */
    public static final DatasetSpec FASHION_MNIST_SAMPLE = DatasetSpec.archive("Fashion-MNIST sample",
            "fashion_mnist_sample", new Resource("fashion_mnist_sample.zip",
                    List.of(URI.create("classpath:" + FASHION_MNIST_SAMPLE_RESOURCE)),
                    FASHION_MNIST_SAMPLE_SIZE, FASHION_MNIST_SAMPLE_SHA256, null));

    /** fastai's MNIST sample: 3s and 7s, {@code train/} and {@code valid/} folders of PNGs. */
    public static final DatasetSpec MNIST_SAMPLE = DatasetSpec.archive("MNIST sample", "mnist_sample",
            Resource.md5(URI.create(S3_SAMPLE + "mnist_sample.tgz"), 3_214_948, "2dbc7ec6f9259b583af0072c55816a88"));

    /** Oxford-IIIT Pet (37 breeds of cats and dogs), as packaged by fastai. */
    public static final DatasetSpec PETS = DatasetSpec.archive("Oxford-IIIT Pet", "oxford-iiit-pet",
            Resource.md5(URI.create(S3_IMAGE + "oxford-iiit-pet.tgz"), 811_706_944,
                    "e4db5c768afd933bb91f5f594d7417a4"));

    /** Imagenette (10 easy ImageNet classes), shortest side 160 px. */
    public static final DatasetSpec IMAGENETTE_160 = DatasetSpec.archive("Imagenette 160", "imagenette2-160",
            Resource.md5(URI.create(S3_IMAGE + "imagenette2-160.tgz"), 99_003_388,
                    "c475f8f7617a200ba35b9facc48443c3"));

    /** CamVid tiny (100 street images with masks, 32 codes), fastai's segmentation sample. */
    public static final DatasetSpec CAMVID_TINY = DatasetSpec.archive("CamVid tiny", "camvid_tiny",
            Resource.md5(URI.create(S3_SAMPLE + "camvid_tiny.tgz"), 2_314_212, "2cf6daf91b7a2083ecfa3e9968e9d915"));

    /** CamVid (701 street images with masks, 32 codes), as packaged by fastai. */
    public static final DatasetSpec CAMVID = DatasetSpec.archive("CamVid", "camvid",
            Resource.md5(URI.create("https://s3.amazonaws.com/fast-ai-imagelocal/camvid.tgz"), 598_913_237,
                    "648371e4f3a833682afb39b08a3ce2aa"));

    private URLs() {
    }

    private static Resource fashionMnist(String file, long size, String sha256) {
        return Resource.sha256(URI.create(FASHION_MNIST_GITHUB + file), size, sha256,
                URI.create(FASHION_MNIST_S3 + file));
    }
}
