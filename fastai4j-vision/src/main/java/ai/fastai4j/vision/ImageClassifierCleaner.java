package ai.fastai4j.vision;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Split;
import ai.fastai4j.interpret.ClassificationInterpretation;
import ai.fastai4j.interpret.TopLoss;
import ai.fastai4j.learner.Learner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * fastai's {@code ImageClassifierCleaner} for programs: per split and per class, the images of a folder-labelled
 * data set ordered by loss (highest first), each with its label, prediction and probability; and the actions keep,
 * relabel (the file moves into the other class folder) and delete (the file moves into the data set's trash
 * folder), applied through a {@link DataSetJournal} so that {@link #undo()} reverts them.
 *
 * <pre>{@code
 * ImageClassifierCleaner cleaner = ImageClassifierCleaner.fromLearner(learn);
 * for (ImageClassifierCleaner.Item it : cleaner.items(Split.VALID, "cat").subList(0, 10)) { ... }
 * cleaner.relabel(item, "dog");
 * cleaner.delete(other);
 * cleaner.undo();
 * }</pre>
 */
public final class ImageClassifierCleaner {
    /** One image with its label (its class folder), the model's prediction, that prediction's probability and loss. */
    public record Item(Path file, Split split, String label, String prediction, double probability, double loss) {}

    private final Map<Split, List<Item>> items;
    private final List<String> vocab;
    private final DataSetJournal journal;

    private ImageClassifierCleaner(Map<Split, List<Item>> items, List<String> vocab, DataSetJournal journal) {
        this.items = items;
        this.vocab = List.copyOf(vocab);
        this.journal = journal;
    }

    /**
     * The cleaner of {@code learn}'s image data set: the model's predictions on the training images (in order,
     * without augmentation) and on the validation images. The data set's root is the folder above all the class
     * folders.
     *
     * @throws IllegalArgumentException when the data is not single-label images read from class folders
     */
    public static ImageClassifierCleaner fromLearner(Learner learn) {
        return fromLearner(learn, null);
    }

    /** As {@link #fromLearner(Learner)}, with the data set's root (where the trash folder and journal go). */
    public static ImageClassifierCleaner fromLearner(Learner learn, Path root) {
        var train = ClassificationInterpretation.fromLearner(learn, learn.dls().train().withSplitMode(Split.VALID));
        List<Item> trainItems = items(train, Split.TRAIN);
        List<Item> validItems = learn.dls().valid().numItems() == 0 ? List.of()
                : items(ClassificationInterpretation.fromLearner(learn, learn.dls().valid()), Split.VALID);
        if (root == null) {
            List<Item> all = new ArrayList<>(trainItems);
            all.addAll(validItems);
            root = commonRoot(all);
        }
        return new ImageClassifierCleaner(Map.of(Split.TRAIN, trainItems, Split.VALID, validItems),
                learn.dls().vocab(), DataSetJournal.of(root));
    }

    private static List<Item> items(ClassificationInterpretation interp, Split split) {
        List<Item> out = new ArrayList<>();
        for (TopLoss t : interp.topLosses(interp.size())) {
            Path file = Path.of(t.item()).toAbsolutePath().normalize();
            if (!ImageFiles.isImage(file) || file.getParent() == null) {
                throw new IllegalArgumentException("the cleaner needs image files in class folders; item "
                        + t.item() + " is not one");
            }
            String folder = file.getParent().getFileName().toString();
            if (!folder.equals(t.actual())) {
                throw new IllegalArgumentException("the cleaner edits data sets labelled by their folders; "
                        + file + " is labelled '" + t.actual() + "' but lies in folder '" + folder + "'");
            }
            out.add(new Item(file, split, t.actual(), t.predicted(), t.probability(), t.loss()));
        }
        return List.copyOf(out);
    }

    /** The deepest folder holding every class folder. */
    private static Path commonRoot(List<Item> all) {
        Path root = null;
        for (Item it : all) {
            Path p = it.file().getParent().getParent();
            if (root == null) {
                root = p;
            }
            while (!p.startsWith(root)) {
                root = root.getParent();
            }
        }
        if (root == null) {
            throw new DataException("the data set has no images");
        }
        return root;
    }

    /** The class names. */
    public List<String> vocab() {
        return vocab;
    }

    /** The journal the changes go through. */
    public DataSetJournal journal() {
        return journal;
    }

    /** The images of {@code split} ({@link Split#TRAIN} or {@link Split#VALID}), highest loss first. */
    public List<Item> items(Split split) {
        return items.getOrDefault(split, List.of());
    }

    /** The images of {@code split} labelled {@code label}, highest loss first (a class of fastai's cleaner). */
    public List<Item> items(Split split, String label) {
        if (!vocab.contains(label)) {
            throw new IllegalArgumentException("no class '" + label + "'; the classes are " + vocab);
        }
        return items(split).stream().filter(i -> i.label().equals(label)).toList();
    }

    /** Keeps {@code item} as it is: changes nothing, and returns where the file is. */
    public Path keep(Item item) {
        return item.file();
    }

    /** Moves {@code item}'s file into the class folder {@code label} (a class of the model); returns where it is now. */
    public Path relabel(Item item, String label) {
        if (!vocab.contains(label)) {
            throw new IllegalArgumentException("no class '" + label + "'; the classes are " + vocab);
        }
        return journal.relabel(item.file(), label);
    }

    /** Moves {@code item}'s file aside into the data set's trash folder; returns where it is now. */
    public Path delete(Item item) {
        return journal.trash(item.file(), "deleted in the cleaner (label " + item.label() + ", predicted "
                + item.prediction() + ")");
    }

    /** Reverts the last change (of this cleaner or of any other tool writing the same journal). */
    public Optional<DataSetJournal.Entry> undo() {
        return journal.undo();
    }
}
