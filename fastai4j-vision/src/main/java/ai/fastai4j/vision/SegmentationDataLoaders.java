package ai.fastai4j.vision;

import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Splitter;
import ai.fastai4j.data.Splitters;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * fastai's {@code SegmentationDataLoaders}: images with masks, as {@code DataBlock(blocks=(ImageBlock,
 * MaskBlock(codes)))}.
 *
 * <pre>{@code
 * DataLoaders dls = SegmentationDataLoaders.fromLabelFunc(path, ImageFiles.recursive(path.resolve("images")),
 *         f -> path.resolve("labels").resolve(f.getFileName()), codes)
 *     .batchSize(8).itemTfms(Resize.squish(128)).build();
 * }</pre>
 */
public final class SegmentationDataLoaders {
    private SegmentationDataLoaders() {}

    /**
     * Images {@code fnames} whose masks {@code labelFunc} finds (a mask PNG path, palette or grey, whose values are
     * indices into {@code codes}); a random 20% validates unless {@link Builder#splitter} says otherwise.
     */
    public static Builder fromLabelFunc(Path path, List<Path> fnames, Function<Path, Object> labelFunc,
            List<String> codes) {
        Builder b = new Builder(path, MaskBlock.of(codes));
        b.items = List.copyOf(fnames);
        b.labeller = Objects.requireNonNull(labelFunc, "labelFunc");
        return b;
    }

    /** Options of segmentation loaders (batch size, workers, seed, transforms, split). */
    public static final class Builder extends ImageDataLoaders.Builder<Path, Builder> {
        private final MaskBlock masks;

        Builder(Path path, MaskBlock masks) {
            super(path);
            this.masks = masks;
        }

        /** How items are split into training and validation (default: random, {@code validPct}, {@code seed}). */
        public Builder splitter(Splitter<Path> s) {
            this.splitter = Objects.requireNonNull(s, "splitter");
            return this;
        }

        @Override
        public DataBlock<Path> dataBlock() {
            return DataBlock.<Path>builder(grey ? ImageBlock.grey() : ImageBlock.rgb(), masks)
                    .getX(getX).getY(labeller)
                    .splitter(splitter != null ? splitter : Splitters.random(validPct, seed))
                    .itemTfms(itemTfms.toArray(new ItemTransform[0]))
                    .batchTfms(batchTfms.toArray(new BatchTransform[0]))
                    .build();
        }
    }
}
