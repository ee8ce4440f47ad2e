package ai.fastai4j.bench;

import ai.fastai4j.data.external.URLs;
import ai.fastai4j.io.AtomicFiles;
import ai.fastai4j.vision.data.FashionMnist;
import ai.fastai4j.vision.data.IdxImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Builds the Fashion-MNIST sample zip shipped in fastai4j-samples ({@link URLs#FASHION_MNIST_SAMPLE}).
 *
 * <p>Usage: {@code MakeFashionSample [fashionMnistFolder [output.zip]]}. Without a folder it uses
 * {@link FashionMnist#locate()}; the default output is the resource in fastai4j-samples' source tree. Prints the
 * zip's size and SHA-256, to record in {@link URLs}.
 */
public final class MakeFashionSample {
    /** Images per class taken from the train split (the first ones, in file order). */
    public static final int TRAIN_PER_CLASS = 500;
    /** Images per class taken from the test split (the first ones, in file order). */
    public static final int VALID_PER_CLASS = 100;
    /** Top folder inside the zip. */
    public static final String ROOT = "fashion_mnist_sample";

    static final Path DEFAULT_OUTPUT = Path.of("fastai4j-samples/src/main/resources", URLs.FASHION_MNIST_SAMPLE_RESOURCE);
    // Fixed entry time (Fashion-MNIST's release) so that the same input gives the same zip.
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2017, 8, 28, 0, 0);

    private static final String UPSTREAM_LICENSE = """
            The MIT License (MIT) Copyright \u00a9 2017 Zalando SE, https://tech.zalando.com

            Permission is hereby granted, free of charge, to any person obtaining a copy of this software and \
            associated documentation files (the \u201cSoftware\u201d), to deal in the Software without restriction, \
            including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, \
            and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, \
            subject to the following conditions:

            The above copyright notice and this permission notice shall be included in all copies or substantial \
            portions of the Software.

            THE SOFTWARE IS PROVIDED \u201cAS IS\u201d, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT \
            NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. \
            IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, \
            WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE \
            SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
            """;

    private MakeFashionSample() {
    }

    public static void main(String[] args) throws IOException {
        Path source = args.length > 0 ? Path.of(args[0]) : FashionMnist.locate();
        Path output = args.length > 1 ? Path.of(args[1]) : DEFAULT_OUTPUT;
        write(source, output);
        System.out.println(output + ": " + Files.size(output) + " bytes, SHA-256 " + sha256(output));
    }

    /** Writes the sample zip for the Fashion-MNIST files in {@code source} (atomically replaces {@code output}). */
    public static void write(Path source, Path output) throws IOException {
        FashionMnist fm = FashionMnist.load(source);
        AtomicFiles.write(output, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(9);
            text(zip, ROOT + "/README.txt", readme());
            text(zip, ROOT + "/LICENSE", license(source));
            split(zip, "train", fm.trainImages(), fm.trainLabels(), TRAIN_PER_CLASS);
            split(zip, "valid", fm.testImages(), fm.testLabels(), VALID_PER_CLASS);
            zip.finish();
        });
    }

    private static void split(ZipOutputStream zip, String split, IdxImages images, int[] labels, int perClass)
            throws IOException {
        int classes = FashionMnist.CLASSES.size();
        for (int c = 0; c < classes; c++) {
            int taken = 0;
            for (int i = 0; i < labels.length && taken < perClass; i++) {
                if (labels[i] == c) {
                    stored(zip, ROOT + "/" + split + "/" + FashionMnist.CLASS_FOLDERS.get(c) + "/" + i + ".png",
                            png(images, i));
                    taken++;
                }
            }
            if (taken < perClass) {
                throw new IOException(split + ": only " + taken + " images of class " + FashionMnist.CLASSES.get(c));
            }
        }
    }

    /** One image as an 8-bit grey PNG, compressed as hard as ImageIO can. */
    static byte[] png(IdxImages images, int index) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.0f); // 0 = smallest file
            writer.write(null, new IIOImage(images.toBufferedImage(index), null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(ENTRY_TIME);
        e.setMethod(ZipEntry.STORED); // PNG data is already deflated
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static void text(ZipOutputStream zip, String name, String content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(e);
        OutputStream out = zip;
        out.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static String license(Path source) throws IOException {
        StringBuilder s = new StringBuilder(UPSTREAM_LICENSE);
        Path copyright = source.resolve("COPYRIGHT");
        if (Files.isRegularFile(copyright)) {
            s.append("\n---------------------------------------------------------------------------\n")
                    .append("The Fashion-MNIST files this sample was made from came with this copyright file:\n\n")
                    .append(Files.readString(copyright, StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    private static String readme() {
        return """
                Fashion-MNIST sample for fastai4j
                =================================

                A small real subset of Fashion-MNIST (Zalando Research, https://github.com/zalandoresearch/fashion-mnist),
                MIT licence: see LICENSE. Shipped in fastai4j-vision like fastai's MNIST_SAMPLE, so that examples and
                tests run with no download: URLs.FASHION_MNIST_SAMPLE.

                Layout: train/<class>/<index>.png and valid/<class>/<index>.png, 28x28 8-bit grey PNGs.
                  train: the first %d images of each class in train-images-idx3-ubyte (%d images)
                  valid: the first %d images of each class in t10k-images-idx3-ubyte (%d images)
                <index> is the image's position in that IDX file, so any image can be traced back to the original.
                Classes (label: folder): 0 t-shirt_top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
                7 sneaker, 8 bag, 9 ankle_boot.

                Made by ai.fastai4j.vision.data.MakeFashionSample from the four canonical Fashion-MNIST IDX files
                (pixels unchanged, written with javax.imageio).
                """.formatted(TRAIN_PER_CLASS, TRAIN_PER_CLASS * 10, VALID_PER_CLASS, VALID_PER_CLASS * 10);
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
