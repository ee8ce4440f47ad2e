/**
 * Text applications, as in fastai.text: fastai's tokenizer rules and special tokens, {@code Numericalize},
 * language-model and classification data loaders, the AWD-LSTM, and ULMFiT's language model and classifier
 * learners.
 */
package ai.fastai4j.text;
