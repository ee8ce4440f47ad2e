package ai.fastai4j.text.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each of fastai's rules on the examples of fastai's own documentation ({@code nbs/30_text.core.ipynb}). */
class RuleTest {

    @Test
    void specAddSpaces() {
        assertEquals(" # fastai", Rule.SPEC_ADD_SPACES.apply("#fastai"));
        assertEquals(" / fastai", Rule.SPEC_ADD_SPACES.apply("/fastai"));
        assertEquals(" \\ fastai", Rule.SPEC_ADD_SPACES.apply("\\fastai"));
    }

    @Test
    void rmUselessSpaces() {
        assertEquals("a b c", Rule.RM_USELESS_SPACES.apply("a  b   c"));
    }

    @Test
    void replaceRep() {
        assertEquals("aa", Rule.REPLACE_REP.apply("aa"));
        assertEquals(" xxrep 4 a ", Rule.REPLACE_REP.apply("aaaa"));
        assertEquals("I'm so excited xxrep 3 ! ", Rule.REPLACE_REP.apply("I'm so excited!!!"));
    }

    @Test
    void replaceWrep() {
        assertEquals("ah ah", Rule.REPLACE_WREP.apply("ah ah"));
        assertEquals(" xxwrep 3 ah ", Rule.REPLACE_WREP.apply("ah ah ah"));
        assertEquals(" xxwrep 4 ah ", Rule.REPLACE_WREP.apply("ah ah ah ah"));
        assertEquals(" xxwrep 4 ah  ", Rule.REPLACE_WREP.apply("ah ah ah ah "));
        assertEquals(" xxwrep 4 ah .", Rule.REPLACE_WREP.apply("ah ah ah ah."));
        assertEquals("ah ah ahi", Rule.REPLACE_WREP.apply("ah ah ahi"));
    }

    @Test
    void fixHtml() {
        assertEquals("'bli'", Rule.FIX_HTML.apply("#39;bli#146;"));
        assertEquals("Sarah & Duck \u2026", Rule.FIX_HTML.apply("Sarah amp; Duck..."));
        assertEquals("a   $", Rule.FIX_HTML.apply("a nbsp; #36;"));
        assertEquals("\" xxunk", Rule.FIX_HTML.apply("\\\" <unk>"));
        assertEquals("' .-", Rule.FIX_HTML.apply("quot;  @.@  @-@ "));
        assertEquals("\ntext\nline", Rule.FIX_HTML.apply("<br />text\\nline"));
        assertEquals("caf\u00e9 < 3", Rule.FIX_HTML.apply("caf&eacute; &lt; 3"));
    }

    @Test
    void replaceAllCaps() {
        assertEquals("xxup i'm xxup shouting", Rule.REPLACE_ALL_CAPS.apply("I'M SHOUTING"));
        assertEquals("I'm speaking normally", Rule.REPLACE_ALL_CAPS.apply("I'm speaking normally"));
        assertEquals("i am speaking normally", Rule.REPLACE_ALL_CAPS.apply("I am speaking normally"));
    }

    @Test
    void replaceMaj() {
        assertEquals("xxmaj jeremy xxmaj howard", Rule.REPLACE_MAJ.apply("Jeremy Howard"));
        assertEquals("i don't think there is any maj here",
                Rule.REPLACE_MAJ.apply("I don't think there is any maj here"));
    }

    @Test
    void lowercaseAddsBos() {
        assertEquals("xxbos hello world", Rule.LOWERCASE.apply("  Hello World "));
    }

    @Test
    void defaultsAreFastaisOrderAndNames() {
        assertEquals(List.of("fix_html", "replace_rep", "replace_wrep", "spec_add_spaces", "rm_useless_spaces",
                "replace_all_caps", "replace_maj", "lowercase"), Rule.names(Rule.DEFAULTS));
        assertEquals(Rule.REPLACE_MAJ, Rule.byName("replace_maj"));
        assertThrows(IllegalArgumentException.class, () -> Rule.byName("no_such_rule"));
    }
}
